import Foundation
import Tessera

/// Runs a blocking Tessera call (SQLite, Argon2id, HTTP) off the main actor, as the bindings
/// ask: view models await it and stay responsive.
func offMain<T>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated, operation: work).value
}

/// Waits a number of milliseconds: how the codes screen sleeps until its next code change
/// (core's `nextChangeInMs`). The app uses `SystemSleeper`; tests pass one they wake
/// themselves, so no test waits on a clock.
public protocol Sleeper: Sendable {
    /// Returns after `milliseconds`; throws `CancellationError` when the task is cancelled first.
    func sleep(milliseconds: UInt64) async throws
}

/// `Task.sleep`.
public struct SystemSleeper: Sleeper {
    /// The system's sleeper.
    public init() {}

    public func sleep(milliseconds: UInt64) async throws {
        try await Task.sleep(nanoseconds: milliseconds * 1_000_000)
    }
}

/// The system pasteboard. The iOS app's implementation writes a local-only item (never
/// synced by Universal Clipboard) that expires at `expiresAt`.
public protocol Pasteboard: AnyObject {
    /// Puts `text` (a code) on the pasteboard until `expiresAt`.
    func copy(_ text: String, expiresAt: Date)
}

/// A monotonic clock for the app lock: core's `shouldLock` compares two readings of one clock
/// that counts while the phone sleeps and that setting the wall clock does not move
/// (`ContinuousClock`), in milliseconds since this process first asked.
public enum Uptime {
    private static let origin = ContinuousClock.now

    /// Milliseconds since the first reading.
    public static func millis() -> UInt64 {
        let elapsed = origin.duration(to: .now).components
        return UInt64(max(0, elapsed.seconds)) * 1000 + UInt64(max(0, elapsed.attoseconds)) / 1_000_000_000_000_000
    }
}
