import Foundation
import Tessera
import XCTest

/// Getting started, as `ios/README.md` quotes it: a vault whose key the platform wraps, an
/// account from a scanned QR code's text, and the list a codes screen shows with the moment it
/// must be refreshed. The expected code is RFC 6238's (its SHA-1 table gives 94287082 at
/// T = 59 s; six digits are the last six), not Tessera's own output.
final class GettingStartedTests: XCTestCase {
    func testGettingStarted() throws {
        // The vault key is wrapped by a KeyProvider: on iOS a Secure Enclave key; here
        // PadKeyProvider (Support.swift), a key in memory.
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        _ = try vault.addUri(
            uri: "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example")

        // What the codes screen shows at T = 59 s (codeList() uses the vault's clock).
        let list = try vault.codeListAt(query: CodesQuery(), unixMs: 59_000)
        XCTAssertEqual(list.items.count, 1)
        let item = try XCTUnwrap(list.items.first)
        XCTAssertEqual(item.displayName, "Example (alice)")
        XCTAssertEqual(item.code, "287082")
        XCTAssertEqual(item.displayCode, "287 082")
        XCTAssertEqual(item.validUntil, 60)

        // One timer for the whole screen: the next code changes at the period's end.
        XCTAssertEqual(list.nextChangeAt, 60)
        XCTAssertEqual(list.nextChangeInMs, 1_000)
    }
}
