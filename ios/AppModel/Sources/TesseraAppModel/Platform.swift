import Foundation
import Tessera

/// Runs a blocking Tessera call (SQLite, Argon2id, HTTP) off the main actor, as the bindings
/// ask: view models await it and stay responsive.
func offMain<T>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated, operation: work).value
}

/// Waits until a Unix second: how the codes screen sleeps until its next code change. The
/// app uses `SystemSleeper`; tests pass one they wake themselves, so no test waits on a clock.
public protocol Sleeper: Sendable {
    /// Returns at (or soon after) `unixTime`; throws `CancellationError` when the task is
    /// cancelled first.
    func sleep(untilUnix unixTime: UInt64) async throws
}

/// `Task.sleep` against the given clock (the system's when absent).
public struct SystemSleeper: Sleeper {
    let clock: Clock?

    /// A sleeper that reads the time from `clock` (the vault's clock), the system's when nil.
    public init(clock: Clock? = nil) { self.clock = clock }

    public func sleep(untilUnix unixTime: UInt64) async throws {
        let now = (try? clock?.nowUnix()) ?? UInt64(Date().timeIntervalSince1970)
        guard unixTime > now else { return }
        try await Task.sleep(nanoseconds: (unixTime - now) * 1_000_000_000)
    }
}

/// The system pasteboard. The iOS app's implementation writes a local-only item (never
/// synced by Universal Clipboard) that expires at `expiresAt`.
public protocol Pasteboard: AnyObject {
    /// Puts `text` (a code) on the pasteboard until `expiresAt`.
    func copy(_ text: String, expiresAt: Date)
}

/// The current Unix second of `clock`, or of the system when `clock` is nil or fails.
func unixNow(_ clock: Clock?) -> UInt64 {
    (try? clock?.nowUnix()) ?? UInt64(Date().timeIntervalSince1970)
}
