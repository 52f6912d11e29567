import Foundation
import Tessera
import XCTest

@testable import TesseraAppModel

/// A device key whose behaviour the test switches, as the Secure Enclave's would change:
/// working, the user cancelling Face ID, or the key gone (biometrics changed). Wrapping XORs
/// with a random pad that a "lost" key replaces, so an old wrapping no longer opens the vault.
final class SwitchableKeys: KeyProvider, @unchecked Sendable {
    enum Mode { case works, cancels, lost }
    private let lock = NSLock()
    private var pad = SwitchableKeys.newPad()
    private var _mode = Mode.works
    private(set) var unwraps = 0

    var mode: Mode {
        get { lock.withLock { _mode } }
        set {
            lock.withLock {
                // A lost key is gone for good: the provider makes a new one for the next wrap.
                if newValue == .lost { pad = Self.newPad() }
                _mode = newValue
            }
        }
    }

    private static func newPad() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    func wrap(key: Data) throws -> Data {
        try lock.withLock {
            if _mode == .cancels { throw TesseraError.Cancelled }
            return Data(zip(key, pad).map { $0 ^ $1 })
        }
    }

    func unwrap(wrapped: Data) throws -> Data {
        try lock.withLock {
            unwraps += 1
            switch _mode {
            case .cancels: throw TesseraError.Cancelled
            case .lost:
                // The keystore no longer has the key that made this wrapping.
                _mode = .works
                throw TesseraError.WrongKey
            case .works: return Data(zip(wrapped, pad).map { $0 ^ $1 })
            }
        }
    }
}

/// The vault's clock, set by the test.
final class TestClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64
    init(_ now: UInt64) { value = now }
    var now: UInt64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
    func nowUnix() throws -> UInt64 { now }
}

/// A sleeper the test wakes: each `sleep` is announced on `requests` with the milliseconds it
/// would wait and returns when the test calls `wake()` (or throws when its task is cancelled).
final class ManualSleeper: Sleeper, @unchecked Sendable {
    let requests: AsyncStream<UInt64>
    private let announce: AsyncStream<UInt64>.Continuation
    private let lock = NSLock()
    private var waiting: [UUID: CheckedContinuation<Void, Error>] = [:]

    init() { (requests, announce) = AsyncStream.makeStream() }

    func sleep(milliseconds: UInt64) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                lock.withLock { waiting[id] = continuation }
                announce.yield(milliseconds)
            }
        } onCancel: {
            lock.withLock { waiting.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    func wake() {
        let all = lock.withLock {
            let all = waiting
            waiting = [:]
            return all
        }
        for continuation in all.values { continuation.resume() }
    }
}

/// The pasteboard as the test sees it.
final class RecordingPasteboard: Pasteboard {
    var copies: [(text: String, expiresAt: Date)] = []
    func copy(_ text: String, expiresAt: Date) { copies.append((text, expiresAt)) }
}

/// The notifications the background refresh posted, and how often permission was asked.
final class RecordingNotifier: RequestNotifier {
    var posted: [InboxItem] = []
    var permissionRequests = 0
    func notify(_ item: InboxItem) { posted.append(item) }
    func requestPermission() { permissionRequests += 1 }
}

/// The cheapest Argon2id cost the bindings accept (7 MiB × 5 passes), to keep tests quick.
let cheapKdf = KdfParams(memoryKib: 7168, iterations: 5, parallelism: 1)

/// RFC 6238's SHA-1 secret ("12345678901234567890"), whose table gives the expected codes.
let rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func tempVaultPath() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-ios-app-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("vault.db").path
}

func account(_ issuer: String, _ label: String, secret: String = rfcSecret, kind: OtpKind = .totp, digits: UInt8 = 6) -> OtpAccount {
    OtpAccount(
        issuer: issuer, label: label, secretBase32: secret,
        params: OtpParams(kind: kind, algorithm: .sha1, digits: digits, period: 30, counter: 0))
}

/// A fresh vault (device key `keys`) at the time of `clock`.
func makeVault(keys: KeyProvider = SwitchableKeys(), clock: Clock? = nil) throws -> Vault {
    try Vault.create(path: tempVaultPath(), keys: keys, clock: clock)
}

/// Random base32 secrets, so that accounts of one test are not duplicates of each other.
func randomSecret() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    return String((0..<32).map { _ in alphabet.randomElement()! })
}

/// The user's answers to the authentication prompts `app_force_unlock` demands, in order;
/// records each demand.
final class ScriptedPresence: UserPresence {
    var answers: [Bool]
    var demands: [ForceUnlock] = []
    init(_ answers: [Bool]) { self.answers = answers }
    func confirm(_ demand: ForceUnlock, reason: String) async -> Bool {
        demands.append(demand)
        return answers.isEmpty ? false : answers.removeFirst()
    }
}

/// The privacyIDEA push user `name` that tests/ios-app/run.sh made (`TESSERA_PI_*`): the
/// server's URL, the user and the enrollment link of the push token waiting for this phone.
/// Skips the test, saying why, without a server.
func pushFixture(_ name: String) throws -> (base: String, user: String, uri: String) {
    let env = ProcessInfo.processInfo.environment
    guard let base = env["TESSERA_PI_URL"], let user = env["TESSERA_PI_PUSH_USER_\(name)"],
        let uri = env["TESSERA_PI_PUSH_URI_\(name)"]
    else {
        throw XCTSkip("no privacyIDEA push fixture (TESSERA_PI_URL unset): run tests/ios-app/run.sh with a server, as tests/run-all.sh does")
    }
    return (base, user, uri)
}
