// First codes on screen from Swift: `TesseraBench setup PATH` creates a 100-account vault;
// `TesseraBench first-codes PATH` times, in a fresh process (the library is mapped by the
// dynamic loader at start; uniffi's checks run on the first call), opening the vault with the
// device key and holding the display-ready list, then a warm reopen. It prints figures and
// asserts nothing about time. tests/swift/run.sh bench runs it (release library).
// The device key is wrapped by an identity KeyProvider, so the Keychain's own cost is not in
// the figure.
import Foundation
import Tessera

final class PlainKeys: KeyProvider, @unchecked Sendable {
    func wrap(key: Data) throws -> Data { key }
    func unwrap(wrapped: Data) throws -> Data { wrapped }
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write("usage: TesseraBench setup|first-codes PATH\n".data(using: .utf8)!)
    exit(2)
}
let path = arguments[2]
let clock = ContinuousClock()
switch arguments[1] {
case "setup":
    let vault = try Vault.create(path: path, keys: PlainKeys())
    // 100 distinct random 160-bit secrets (32 base32 characters).
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    let accounts = (0..<100).map { i in
        OtpAccount(
            issuer: "Service \(i)", label: "user\(i)@example.com",
            secretBase32: String((0..<32).map { _ in alphabet.randomElement()! }),
            params: OtpParams(kind: .totp, algorithm: .sha1, digits: 6, period: 30, counter: 0))
    }
    _ = try vault.addMany(accounts: accounts)
case "first-codes":
    let start = clock.now
    let vault = try Vault.open(path: path, keys: PlainKeys())
    let codes = try vault.codes()
    let first = clock.now - start
    precondition(codes.count == 100, "expected 100 codes")
    vault.lock()
    var warm: [Double] = []
    for _ in 0..<50 {
        let again = clock.now
        let reopened = try Vault.open(path: path, keys: PlainKeys())
        let count = try reopened.codes().count
        precondition(count == 100, "expected 100 codes")
        warm.append(milliseconds(clock.now - again))
    }
    warm.sort()
    print(String(format: "first-codes %.3f ms; warm reopen median %.3f ms", milliseconds(first), warm[warm.count / 2]))
default:
    FileHandle.standardError.write("unknown mode \(arguments[1])\n".data(using: .utf8)!)
    exit(2)
}
