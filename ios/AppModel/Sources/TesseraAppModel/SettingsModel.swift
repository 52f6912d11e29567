import Foundation
import Observation
import Tessera

/// Settings: the app lock's timeout, the trash, the vault password, the server time.
@MainActor
@Observable
public final class SettingsModel {
    /// Accounts in the trash (restore or delete for good).
    public private(set) var trash: [AccountInfo] = []
    /// A password can unlock the vault besides the device key.
    public private(set) var hasPassword = false
    /// The last outcome, for a banner.
    public private(set) var message: String?
    /// The server time as last measured (offset, source, warning); nil before any.
    public private(set) var serverTime: ServerTimeStatus?
    /// How far the device clock is off, in words (core's `describeClockOffset`); nil before
    /// any measurement.
    public var serverTimeText: String? {
        serverTime.map { describeClockOffset(offsetSeconds: $0.offsetSeconds, source: $0.source) }
    }
    /// How long the app may be left before it locks; saved in `defaults`, applied to `unlock`.
    public var lockTimeout: LockTimeout {
        didSet {
            defaults.set(Self.stored(lockTimeout), forKey: Self.lockTimeoutKey)
            unlock?.lockTimeout = lockTimeout
        }
    }

    @ObservationIgnored private let vault: Vault
    @ObservationIgnored private let push: PushClient?
    @ObservationIgnored private let defaults: UserDefaults
    @ObservationIgnored private weak var unlock: UnlockModel?
    @ObservationIgnored private let kdf: KdfParams?
    nonisolated static let lockTimeoutKey = "appLockTimeout"

    /// Settings of `vault` (`push` syncs the server time), persisted in `defaults`; `unlock`
    /// receives the lock timeout; `kdf` is the password cost (nil: core's default).
    public init(vault: Vault, push: PushClient?, defaults: UserDefaults, unlock: UnlockModel?, kdf: KdfParams? = nil) {
        self.vault = vault
        self.push = push
        self.defaults = defaults
        self.unlock = unlock
        self.kdf = kdf
        lockTimeout = Self.savedLockTimeout(defaults)
    }

    /// The saved lock timeout (core's default when never set, or unreadable).
    public nonisolated static func savedLockTimeout(_ defaults: UserDefaults) -> LockTimeout {
        let text = defaults.string(forKey: lockTimeoutKey) ?? ""
        if text == "immediately" { return .immediately }
        if text == "never" { return .never }
        if text.hasPrefix("after:"), let seconds = UInt32(text.dropFirst("after:".count)) { return .after(seconds: seconds) }
        return defaultLockTimeout()
    }

    /// How a timeout is kept in `defaults` (a storage format, read back by `savedLockTimeout`).
    private nonisolated static func stored(_ timeout: LockTimeout) -> String {
        switch timeout {
        case .immediately: return "immediately"
        case .never: return "never"
        case .after(let seconds): return "after:\(seconds)"
        }
    }

    /// Reads the trash, whether a password is set and the server time.
    public func load() async {
        let vault = self.vault
        do {
            (trash, hasPassword, serverTime) = try await offMain {
                (try vault.trash(), try vault.hasPassword(), try vault.serverTime())
            }
        } catch {
            message = userMessage(error)
        }
    }

    /// Measures the server time at `url`, or, when nil, at the server core picks (the first
    /// push token's; core says when there is none); codes use the corrected time from then on.
    public func syncTime(url: String? = nil) async {
        guard let push else { return }
        do {
            serverTime = try await offMain { try push.syncTime(url: url, allowInsecureTransport: false) }
            message = nil
        } catch {
            message = userMessage(error)
        }
    }

    /// Forgets the server time: codes use the device clock again.
    public func resetServerTime() async {
        let vault = self.vault
        await act("The device clock is used again.") { try vault.resetServerTime() }
    }

    /// Brings an account back from the trash.
    public func restore(_ id: String) async {
        let vault = self.vault
        await act("Restored.") { try vault.restore(id: id) }
    }

    /// Deletes an account from the trash for good.
    public func purge(_ id: String) async {
        let vault = self.vault
        await act("Deleted for good.") { try vault.purge(id: id) }
    }

    /// Sets or changes the vault password; `repeated` must match (core judges its strength).
    public func changePassword(_ password: String, repeated: String) async {
        guard password == repeated else {
            message = "The two passwords differ."
            return
        }
        let vault = self.vault
        let kdf = self.kdf
        await act("Password saved.") { try vault.setPassword(password: password, kdf: kdf) }
    }

    private func act(_ done: String, _ call: @escaping @Sendable () throws -> Void) async {
        do {
            try await offMain(call)
            await load()
            message = done
        } catch {
            message = userMessage(error)
        }
    }
}
