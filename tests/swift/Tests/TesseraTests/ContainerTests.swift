import Foundation
import Tessera
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A platform key holder that has no key to give (a Secure Enclave that refuses, a locked
/// keychain): registration must fail with its error and keep nothing. Swift on Linux has no
/// ECDSA (no CryptoKit, no Security framework), so a signing Swift holder is not tested here.
final class RefusingContainerKeys: ContainerKeys, @unchecked Sendable {
    func generate(alias: String, wanted: ContainerCurve) throws -> Data {
        throw TesseraError.Platform(reason: "the secure enclave is unavailable")
    }
    func sign(alias: String, message: Data, hash: ContainerHash) throws -> Data {
        throw TesseraError.Platform(reason: "no key")
    }
    func delete(alias: String) throws {}
}

final class ContainerTests: XCTestCase {
    /// `/validate/check` as a login page sends it; returns ACCEPT or REJECT.
    private func validate(_ base: String, _ user: String, _ pass: String) throws -> String {
        var request = URLRequest(url: URL(string: base + "/validate/check")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = ["user": user, "pass": pass]
        request.httpBody = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&").data(using: .utf8)
        let done = DispatchSemaphore(value: 0)
        let body = Received()
        URLSession.shared.dataTask(with: request) { data, _, _ in
            body.data = data
            done.signal()
        }.resume()
        done.wait()
        let json = try JSONSerialization.jsonObject(with: body.data ?? Data()) as? [String: Any]
        return (json?["result"] as? [String: Any])?["authentication"] as? String ?? ""
    }

    func testRegistersAndSyncsAContainerThroughTheBindingsAgainstPrivacyIdea() throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["TESSERA_PI_URL"], let user = env["TESSERA_PI_CONTAINER_USER_swift"],
            let uri = env["TESSERA_PI_CONTAINER_QR_swift"]
        else {
            throw XCTSkip("no privacyIDEA container fixture (TESSERA_PI_URL unset): run ./tests/run-all.sh")
        }
        let qr = try readContainerQr(uri: uri)
        XCTAssertEqual(qr.passphrasePrompt, "")
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())

        // a platform holder that fails: its error comes back, nothing is kept
        let refusing = ContainerClient(vault: vault, containerKeys: RefusingContainerKeys())
        assertThrows("Platform", try refusing.register(uri: uri))
        XCTAssertEqual(try refusing.list(), [])

        let containers = ContainerClient(vault: vault)
        let info = try containers.register(uri: uri, deviceBrand: "Tessera", deviceModel: "Swift – Zoë")
        XCTAssertEqual(info.serial, qr.serial)
        XCTAssertEqual(info.state, .registered)
        let report = try containers.sync(serial: info.serial)
        XCTAssertEqual(report.added.map(\.kind), ["totp"])
        let accountId = try XCTUnwrap(report.added.first?.accountId)
        let code = try XCTUnwrap(try vault.codes().first { $0.id == accountId }?.code)
        XCTAssertEqual(try validate(base, user, "totp-pin" + code), "ACCEPT")
        XCTAssertEqual(try containers.managerOf(accountId: accountId), info.serial)
        XCTAssertEqual(try containers.list().first?.tokens.count, 1)
    }

    func testRefusesAForeignUri() {
        assertThrows("InvalidInput", try readContainerQr(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"))
    }
}
