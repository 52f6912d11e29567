import Foundation
import Observation
import Tessera

/// The codes screen: the list for the current search and group, refreshed exactly when the
/// first code on it changes (the model's `nextChangeAt`, never a once-a-second timer), and
/// what the user does to a row: copy, next HOTP code, favorite, reorder, edit, trash with
/// undo, and the QR code for moving an account.
@MainActor
@Observable
public final class CodesModel {
    /// The rows on screen.
    public private(set) var items: [CodeItem] = []
    /// When the list refreshes itself next (Unix second); nil when nothing expires.
    public private(set) var nextChangeAt: UInt64?
    /// Every group in use, for the group chips.
    public private(set) var groups: [String] = []
    /// The search text and group; change it with `search(_:)` / `showGroup(_:)`.
    public private(set) var query = CodesQuery()
    /// The last failure, for a banner; cleared by the next success.
    public private(set) var message: String?
    /// The account just moved to the trash, while its undo is offered.
    public private(set) var undoable: CodeItem?
    /// The device clock is off by more than core's threshold (codes are corrected with the
    /// server time all the same): show the offset.
    public private(set) var clockWarning: ServerTimeStatus?
    /// The clock warning in words, "1 min 35 s behind pi.example" (core's
    /// `describeClockOffset`); nil without a warning.
    public var clockWarningText: String? {
        clockWarning.map { describeClockOffset(offsetSeconds: $0.offsetSeconds, source: $0.source) }
    }

    @ObservationIgnored private let vault: Vault
    @ObservationIgnored private let sleeper: Sleeper
    @ObservationIgnored private let pasteboard: Pasteboard?
    @ObservationIgnored private var nextChangeInMs: UInt64?
    @ObservationIgnored private var scheduled: Task<Void, Never>?
    @ObservationIgnored private var visible = false

    /// The codes of `vault` (core's code list, at the vault's clock); `sleeper` waits for the
    /// next change, `pasteboard` receives copied codes.
    public init(vault: Vault, sleeper: Sleeper, pasteboard: Pasteboard?) {
        self.vault = vault
        self.sleeper = sleeper
        self.pasteboard = pasteboard
    }

    /// The screen appeared: load and keep the list current until `stop()`.
    public func start() async {
        visible = true
        await refresh()
    }

    /// The screen went away (or the app to the background): no more scheduled refreshes.
    public func stop() {
        visible = false
        scheduled?.cancel()
        scheduled = nil
    }

    /// Recomputes the list now and schedules one refresh when its first code changes (core's
    /// `nextChangeInMs`; none when nothing expires). No per-second timer.
    public func refresh() async {
        let query = self.query
        let vault = self.vault
        do {
            let (list, groups, time) = try await offMain {
                (try vault.codeList(query: query), try vault.groups(), try vault.serverTime())
            }
            items = list.items.map(CodeItem.init)
            clockWarning = time?.warning == true ? time : nil
            nextChangeAt = list.nextChangeAt
            nextChangeInMs = list.nextChangeInMs
            self.groups = groups
            message = nil
        } catch {
            message = userMessage(error)
        }
        schedule()
    }

    /// Searches issuer, label and display name (core's matching; blank shows everything).
    public func search(_ text: String) async {
        query.search = text
        await refresh()
    }

    /// Shows only `group` (nil: every account).
    public func showGroup(_ group: String?) async {
        query.group = group
        await refresh()
    }

    /// Copies the row's code (as typed, not as grouped) to the pasteboard, which clears it
    /// when core says (`clipboardClearAfterSeconds`: when the code changes or after a minute,
    /// whichever is sooner, never sooner than a few seconds), counted from the device's `now`.
    /// Returns false when the row has no code.
    @discardableResult
    public func copy(_ id: String, now: Date = Date()) async -> Bool {
        guard let item = items.first(where: { $0.id == id }), let code = item.code else { return false }
        let vault = self.vault
        let seconds: UInt64
        do {
            seconds = try await offMain { try vault.clipboardClearAfterSeconds(validUntil: item.validUntil) }
        } catch {
            message = userMessage(error)
            return false
        }
        pasteboard?.copy(code, expiresAt: now.addingTimeInterval(TimeInterval(seconds)))
        return true
    }

    /// HOTP: advances the counter (saved before the code is shown) and refreshes.
    public func nextCode(_ id: String) async {
        await act { vault in _ = try vault.nextHotp(id: id) }
    }

    /// Pins or unpins an account.
    public func setFavorite(_ id: String, _ favorite: Bool) async {
        await act { vault in try vault.update(id: id, change: AccountChange(favorite: favorite)) }
    }

    /// A drag in the list on screen, as SwiftUI's `onMove` reports it: the rows at `offsets`
    /// go before the row now at `destination` (`items.count`: after the last). The list may
    /// be searched, filtered by group and show favorites first, so the move is by the row it
    /// was dropped on (core's `moveBefore`), never an index into the whole order.
    public func move(fromOffsets offsets: IndexSet, toOffset destination: Int) async {
        let moved = offsets.filter { items.indices.contains($0) }.map { items[$0].id }
        // The first row after the drop point that is not itself moving; none: to the end.
        let before = items[min(destination, items.count)...].first { !moved.contains($0.id) }?.id
        await act { vault in
            for id in moved { try vault.moveBefore(id: id, before: before) }
        }
    }

    /// Renames an account and sets its groups.
    public func edit(_ id: String, issuer: String, label: String, groups: [String]) async {
        await act { vault in
            try vault.update(id: id, change: AccountChange(issuer: issuer, label: label, groups: groups))
        }
    }

    /// Moves an account to the trash and offers its undo until the next trash or `dismissUndo`.
    public func trash(_ id: String) async {
        let item = items.first { $0.id == id }
        await act { vault in try vault.delete(id: id) }
        if message == nil { undoable = item }
    }

    /// Brings back the account just trashed.
    public func undoTrash() async {
        guard let item = undoable else { return }
        undoable = nil
        await act { vault in try vault.restore(id: item.id) }
    }

    /// The undo offer timed out or was dismissed.
    public func dismissUndo() { undoable = nil }

    /// The QR code of the account's otpauth URI as core's module matrix (quiet zone
    /// included), to move it to another device or app: the view draws the dark modules. It
    /// holds the secret: show it only on the user's request.
    public func transferQr(_ id: String) async -> QrMatrix? {
        let vault = self.vault
        do {
            return try await offMain {
                try qrCodeMatrix(text: try formatOtpUri(account: try vault.accountWithSecret(id: id)))
            }
        } catch {
            message = userMessage(error)
            return nil
        }
    }

    private func act(_ change: @escaping @Sendable (Vault) throws -> Void) async {
        let vault = self.vault
        do {
            try await offMain { try change(vault) }
            await refresh()
        } catch {
            message = userMessage(error)
        }
    }

    private func schedule() {
        scheduled?.cancel()
        scheduled = nil
        guard visible, let wait = nextChangeInMs else { return }
        let sleeper = self.sleeper
        scheduled = Task { [weak self] in
            do { try await sleeper.sleep(milliseconds: wait) } catch { return }
            guard !Task.isCancelled else { return }
            await self?.refresh()
        }
    }
}
