import Foundation
import Tessera
import XCTest

/// The small rules both apps share, from Swift: expected values written from the docs.
final class AppRulesTests: XCTestCase {
    func testAGoogleTransferLinkIsAnImportBatch() throws {
        // Written by make_fixtures.py with Google's protobuf schema. This file is
        // tests/swift/Tests/TesseraTests/AppRulesTests.swift.
        let repo = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(
            contentsOf: repo.appendingPathComponent("tests/fixtures/transfer/google_migration.txt"), encoding: .utf8)
        let transfer = try XCTUnwrap(text.split(separator: "\n").first.map(String.init))
        XCTAssertEqual(try uriKind(uri: transfer), .importBatch)
        XCTAssertEqual(try uriKind(uri: "\n\(transfer) "), .importBatch)
        XCTAssertThrowsError(try uriKind(uri: "otpauth-migration://offline?data=QUJD")) { error in
            XCTAssertTrue("\(error)".contains("Google Authenticator transfer"), "\(error)")
        }
    }

    func testNamesReadTheSameForUnsavedAccountsTokensAndTrashRows() throws {
        XCTAssertEqual(displayName(issuer: "GitHub", label: "alice"), "GitHub (alice)")
        XCTAssertEqual(displayName(issuer: " GitHub ", label: "github"), "GitHub")
        XCTAssertEqual(displayName(issuer: "", label: "bob@example.org"), "bob@example.org")
        XCTAssertEqual(displayName(issuer: " ", label: ""), "(unnamed)")
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())
        let id = try vault.add(
            account: OtpAccount(issuer: "ACME", label: "carol", secretBase32: rfcSha1, params: totp()))
        XCTAssertEqual(try vault.list().map(\.displayName), ["ACME (carol)"])
        try vault.delete(id: id)
        XCTAssertEqual(try vault.trash().map(\.displayName), ["ACME (carol)"])
    }

    func testExportFilesAreNamedByCore() throws {
        let at: UInt64 = 1_700_000_000  // 2023-11-14 22:13:20 UTC
        let aegis = try exportFile(format: .aegis, encrypted: false, unixTime: at, utcOffsetSeconds: 0)
        XCTAssertEqual(aegis.fileName, "tessera-aegis-plain-2023-11-14.json")
        XCTAssertEqual(aegis.extension, "json")
        XCTAssertEqual(aegis.mimeType, "application/json")
        // two hours east of UTC it is already the 15th
        let backup = try exportFile(format: .tesseraBackup, encrypted: true, unixTime: at, utcOffsetSeconds: 7200)
        XCTAssertEqual(backup.fileName, "tessera-backup-2023-11-15.tsrbackup")
        XCTAssertThrowsError(try exportFile(format: .tesseraBackup, encrypted: false, unixTime: at, utcOffsetSeconds: 0))
        XCTAssertThrowsError(try exportFile(format: .aegis, encrypted: true, unixTime: at, utcOffsetSeconds: 19 * 3600))
    }

    func testTheIdleLockComparesOnOneMonotonicClock() {
        let minute = LockTimeout.after(seconds: 60)
        XCTAssertFalse(shouldLock(timeout: minute, leftAtMillis: 1_000, nowMillis: 60_999))
        XCTAssertTrue(shouldLock(timeout: minute, leftAtMillis: 1_000, nowMillis: 61_000))
        XCTAssertTrue(shouldLock(timeout: minute, leftAtMillis: 50_000, nowMillis: 10_000), "a clock that went back")
        XCTAssertTrue(shouldLock(timeout: .immediately, leftAtMillis: 5, nowMillis: 5))
        XCTAssertFalse(shouldLock(timeout: .never, leftAtMillis: 0, nowMillis: .max))
        let choices = lockTimeoutChoices()
        XCTAssertEqual(choices.first, .immediately)
        XCTAssertEqual(choices.last, .never)
        XCTAssertEqual(defaultLockTimeout(), minute)
        XCTAssertTrue(choices.contains(defaultLockTimeout()))
    }

    func testACopiedCodeLeavesTheClipboardWhenItChangesWithinBounds() throws {
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider(), clock: FixedClock(1_000))
        XCTAssertEqual(try vault.clipboardClearAfterSeconds(validUntil: 1_030), 30)
        XCTAssertEqual(try vault.clipboardClearAfterSeconds(validUntil: 1_003), 10, "still time to paste it")
        XCTAssertEqual(try vault.clipboardClearAfterSeconds(validUntil: 1_300), 60, "at most a minute")
        XCTAssertEqual(try vault.clipboardClearAfterSeconds(validUntil: nil), 60, "HOTP")
    }
}
