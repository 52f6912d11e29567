import Foundation
import Tessera
import XCTest

/// A device key in Swift. On Apple platforms an app would use the Keychain or the Secure
/// Enclave; neither exists on Linux, so this one XORs with a random 32-byte pad held in memory:
/// enough to tell the right device key from a wrong one (the vault checks what comes back).
final class PadKeyProvider: KeyProvider, @unchecked Sendable {
    private let pad: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    private let lock = NSLock()
    private var calls = 0
    var unwrapCalls: Int { lock.withLock { calls } }

    func wrap(key: Data) throws -> Data {
        Data(key.enumerated().map { $0.element ^ pad[$0.offset % pad.count] })
    }

    func unwrap(wrapped: Data) throws -> Data {
        lock.withLock { calls += 1 }
        return Data(wrapped.enumerated().map { $0.element ^ pad[$0.offset % pad.count] })
    }
}

struct KeystoreExploded: Error {}

/// A keystore that fails the way buggy platform code does: not with a TesseraError.
final class ExplodingKeyProvider: KeyProvider, @unchecked Sendable {
    func wrap(key: Data) throws -> Data { throw KeystoreExploded() }
    func unwrap(wrapped: Data) throws -> Data { throw KeystoreExploded() }
}

/// A keystore whose user dismissed the authentication prompt.
final class CancelledKeyProvider: KeyProvider, @unchecked Sendable {
    func wrap(key: Data) throws -> Data { throw TesseraError.Cancelled }
    func unwrap(wrapped: Data) throws -> Data { throw TesseraError.Cancelled }
}

/// The cheapest Argon2id cost the FFI accepts: OWASP's last row, 7 MiB × 5 passes (the
/// default is 64 MiB × 3).
let cheapKdf = KdfParams(memoryKib: 7168, iterations: 5, parallelism: 1)

func tempVaultPath() -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("tessera-swift-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("vault.db").path
}

func otpAccount(
    _ issuer: String, _ label: String, secret: String = rfcSha1, kind: OtpKind = .totp,
    digits: UInt8 = 6, counter: UInt64 = 0
) -> OtpAccount {
    OtpAccount(
        issuer: issuer, label: label, secretBase32: secret,
        params: OtpParams(kind: kind, algorithm: .sha1, digits: digits, period: 30, counter: counter))
}

/// Asserts that `body` throws exactly `expected` (compared by case, ignoring the reason).
func assertThrows<T>(
    _ expected: String, _ body: @autoclosure () throws -> T, file: StaticString = #filePath,
    line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let error = error as? TesseraError else {
            return XCTFail("not a TesseraError: \(error)", file: file, line: line)
        }
        let name = String(describing: error).prefix { $0 != "(" }
        XCTAssertEqual(String(name), expected, "\(error)", file: file, line: line)
    }
}
