import Foundation
import Tessera

/// Fetching sign-in requests in the background (`BGAppRefreshTask`) without unlocking the
/// vault, through core's poll slot: a small file beside the vault holding only what polling
/// needs (serials, server URLs and keys, the push device keys' aliases), sealed under a
/// second device key that needs no Face ID. It can fetch and verify, never answer; the vault
/// takes what it fetched in at the next unlock (`PushClient.pending`, `requestState`). So the
/// background refresh works the same whether or not the vault's own key needs Face ID.
public enum BackgroundPolling {
    /// After every unlock: keeps background polling on (core writes the slot and keeps it in
    /// step with the push tokens from then on). `keys` is the background device key. Returns
    /// why it could not, or nil.
    public static func enable(vault: Vault, keys: KeyProvider) async -> String? {
        do {
            try await offMain { try vault.enablePollSlot(keys: keys) }
            return nil
        } catch {
            return userMessage(error)
        }
    }

    /// What `BGAppRefreshTask` runs (`AppServices.backgroundRefresh`): with the vault open,
    /// the session's `inbox` polls and notifies; with it locked (`inbox` nil), the poll slot
    /// does, through `run`, and the vault stays locked. Returns the requests notified and why
    /// the poll fell short, if it did.
    public static func refresh(
        inbox: InboxModel?, vaultPath: String, keys: KeyProvider, deviceKeys: PushDeviceKeys, transport: PushTransport?,
        clock: Clock?, notifier: RequestNotifier?
    ) async -> (posted: [InboxItem], problem: String?) {
        if let inbox {
            let posted = await inbox.refreshInBackground()
            return (posted, await inbox.message)
        }
        return await run(
            vaultPath: vaultPath, keys: keys, deviceKeys: deviceKeys, transport: transport, clock: clock, notifier: notifier)
    }

    /// The background task with the vault locked: opens the slot of the vault at `vaultPath` with `keys`, polls it
    /// and posts a notification for each request this poll brought first (a request whose
    /// token demands an unlock goes without its question). Returns the requests notified and,
    /// when the poll could not run (polling off, the key refused, the slot damaged), why.
    public static func run(
        vaultPath: String, keys: KeyProvider, deviceKeys: PushDeviceKeys, transport: PushTransport?, clock: Clock?,
        notifier: RequestNotifier?
    ) async -> (posted: [InboxItem], problem: String?) {
        let result: PollResult
        do {
            result = try await offMain {
                try PollSlot(vaultPath: vaultPath, keys: keys, deviceKeys: deviceKeys, transport: transport, clock: clock).poll()
            }
        } catch {
            return ([], userMessage(error))
        }
        let listedAt = Date()
        let posted = result.received.filter(\.isNew).map { InboxItem($0, revealed: false, listedAt: listedAt) }
        for item in posted { notifier?.notify(item) }
        let failed = result.failed.map { "\($0.serial): \($0.reason)" }
        return (posted, failed.isEmpty ? nil : "Not reached: " + failed.joined(separator: "; "))
    }
}
