import Foundation
import OpenSslKeys
import Tessera
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A platform key holder that has no key to give (a Secure Enclave that refuses, a locked
/// keychain): registration must fail with its error and keep nothing. The signing Swift holder
/// is `OpenSslContainerKeys` (Sources/OpenSslKeys: OpenSSL's libcrypto, standing in on Linux
/// for the app's Secure Enclave key).
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

    /// Registers fixture `name`'s container (tests/containers/fixture.sh, passed on by run.sh)
    /// with `keys` (Tessera's software keys when nil), syncs it, logs in with the delivered
    /// TOTP, then unregisters it.
    private func registerAndSync(_ name: String, keys: (any ContainerKeys)?) throws {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["TESSERA_PI_URL"], let user = env["TESSERA_PI_CONTAINER_USER_\(name)"],
            let uri = env["TESSERA_PI_CONTAINER_QR_\(name)"]
        else {
            throw XCTSkip("no privacyIDEA container fixture '\(name)' (TESSERA_PI_URL unset): run ./tests/run-all.sh")
        }
        let qr = try readContainerQr(uri: uri)
        XCTAssertEqual(qr.passphrasePrompt, "")
        let vault = try Vault.create(path: tempVaultPath(), keys: PadKeyProvider())

        // a platform holder that fails: its error comes back, nothing is kept
        // The mobile library has no HTTP client of its own: the platform's stack, as an app brings it.
        let transport: (any PushTransport)? = mobileBuild ? URLSessionTransport() : nil
        let refusing = ContainerClient(vault: vault, containerKeys: RefusingContainerKeys(), transport: transport)
        assertThrows("Platform", try refusing.register(uri: uri))
        XCTAssertEqual(try refusing.list(), [])

        let containers = ContainerClient(vault: vault, containerKeys: keys, transport: transport)
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
        // registering the same QR again is refused: it is registered already
        assertThrows("Duplicate", try containers.register(uri: uri))

        // unregistering is a signed call too; the key goes, the account stays
        try containers.unregister(serial: info.serial)
        XCTAssertEqual(try containers.list(), [])
        XCTAssertNotNil(try vault.codes().first { $0.id == accountId })
    }

    func testRegistersAndSyncsAContainerWithSoftwareKeysAgainstPrivacyIdea() throws {
        try registerAndSync("swift", keys: nil)
    }

    /// The iOS app's case: a P-256 key whatever the QR asks (the Secure Enclave has only
    /// P-256), here made and used by OpenSSL.
    func testRegistersAndSyncsAContainerWithAP256PlatformKeyWrittenInSwift() throws {
        #if canImport(COpenSSL)
            let keys = OpenSslContainerKeys(p256Only: true)
            try registerAndSync("enclave", keys: keys)
            XCTAssertEqual(keys.asked, [.p384], "the QR's curve is asked for")
            XCTAssertEqual(keys.made, [.p256])
            // finalize, the sync and the unregister were each signed, with the QR's hash
            XCTAssertEqual(keys.signatures, [.sha256, .sha256, .sha256])
            XCTAssertEqual(keys.count, 0, "unregistering deleted the key")
        #else
            throw XCTSkip("OpenSSL is the Linux stand-in; on Apple platforms the key is the app's Secure Enclave (ios/App)")
        #endif
    }

    /// A key on the curve the QR asks for (P-384 by default), made and used by OpenSSL.
    func testRegistersAndSyncsAContainerWithTheQrsCurveInAPlatformKeyWrittenInSwift() throws {
        #if canImport(COpenSSL)
            let keys = OpenSslContainerKeys(p256Only: false)
            try registerAndSync("p384", keys: keys)
            XCTAssertEqual(keys.made, [.p384])
            XCTAssertEqual(keys.signatures.count, 3)
            XCTAssertEqual(keys.count, 0, "unregistering deleted the key")
        #else
            throw XCTSkip("OpenSSL is the Linux stand-in; on Apple platforms the key is the app's Secure Enclave (ios/App)")
        #endif
    }

    func testRefusesAForeignUri() {
        assertThrows("InvalidInput", try readContainerQr(uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"))
    }
}
