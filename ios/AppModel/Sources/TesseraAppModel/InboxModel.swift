import Foundation
import Observation
import Tessera

/// A sign-in request waiting for the user, as the inbox shows it.
public struct InboxItem: Identifiable, Equatable, Sendable {
    /// The request's id (answer with it).
    public let id: String
    /// The push token's serial.
    public let serial: String
    /// The token's issuer (the organisation asking).
    public let issuer: String
    /// The token's account label.
    public let label: String
    /// The one line naming the token (core's `displayName` of issuer and label).
    public let displayName: String
    /// The server's title.
    public let title: String
    /// The server's question ("Do you want to sign in to …?").
    public let question: String
    /// Number matching: the numbers to offer as large buttons; empty without it.
    public let choices: [String]
    /// Unix second after which it can no longer be answered (the vault's server-corrected
    /// clock: compare it with nothing on the device; show `secondsLeft`).
    public let expiresAt: UInt64
    /// Seconds left to answer when the inbox was listed, judged by core on the vault's
    /// server-corrected clock (a device clock that is off does not shorten or lengthen it).
    public let secondsLeft: UInt64
    /// When the inbox was listed (device time), from which the countdown is drawn.
    public let listedAt: Date
    /// It arrived in the latest poll (or later): the ones to notify about.
    public let isNew: Bool
    /// The server's `app_force_unlock`: the user must authenticate this way before the request
    /// is shown or answered.
    public let forceUnlock: ForceUnlock?
    /// Shown only after that authentication: until then `title`, `question` and `choices`
    /// are empty here, so no view or notification can show them early.
    public let hidden: Bool

    /// Seconds left at `date` for drawing the countdown between two lists: core's
    /// `secondsLeft` less the time since `listedAt` (an elapsed time, so the device clock's
    /// error cancels out); 0 once expired.
    public func secondsLeft(at date: Date) -> UInt64 {
        let elapsed = UInt64(max(0, date.timeIntervalSince(listedAt)))
        return secondsLeft > elapsed ? secondsLeft - elapsed : 0
    }
}

extension InboxItem {
    /// The row of core's `request` listed at `listedAt`; a request whose token demands an
    /// unlock (`forceUnlock`) keeps its title, question and numbers out until `revealed`.
    init(_ request: PushRequest, revealed: Bool, listedAt: Date) {
        let hidden = request.forceUnlock != nil && !revealed
        self.init(
            id: request.id, serial: request.serial, issuer: request.issuer, label: request.label,
            displayName: request.displayName, title: hidden ? "" : request.title,
            question: hidden ? "" : request.question, choices: hidden ? [] : request.choices,
            expiresAt: request.expiresAt, secondsLeft: request.secondsLeft, listedAt: listedAt,
            isNew: request.isNew, forceUnlock: request.forceUnlock, hidden: hidden)
    }
}

/// Asks the user to prove presence the way a request demands (`app_force_unlock`): Face ID /
/// Touch ID for `.biometric`, the device passcode for `.pin`, either for `.any`.
public protocol UserPresence: AnyObject {
    /// True when the user authenticated as `demand` asks; false when they cancelled or failed.
    func confirm(_ demand: ForceUnlock, reason: String) async -> Bool
}

/// Posts the local notification for a request found in the background (BGAppRefreshTask);
/// tapping it opens the inbox at that request.
public protocol RequestNotifier: AnyObject {
    /// Tells the user about `item` (issuer and question only).
    func notify(_ item: InboxItem)
    /// A push token was just enrolled: ask the user, if not asked before, to allow the
    /// notifications `notify` posts (without them a request found in the background goes
    /// unnoticed until the app is opened).
    func requestPermission()
}

/// The server's answer to the user's, as the inbox shows it.
public enum AnswerOutcome: Equatable, Sendable {
    /// Taken; with code-to-phone, the code to type on the login page.
    case accepted(displayCode: String?)
    /// Refused (wrong number, expired, withdrawn); a wrong number may be tried again.
    case refused
    /// The answer may not have arrived; the request stays and can be answered again.
    case notDelivered(String)
}

/// What a tapped notification's request turned out to be (core's `requestState`).
public enum OpenedRequest: Equatable, Sendable {
    /// Still answerable: it is in `items` under this id (behind its unlock when `hidden`).
    case pending(id: String)
    /// Its time ran out before it was answered.
    case expired
    /// It was answered already (here or elsewhere), or expired earlier.
    case closed
    /// This phone does not have it (its push token was removed, or it never arrived).
    case unknown
}

/// The push inbox: polls on open, on pull-to-refresh and in the background; shows each
/// verified request with its token's issuer and label, its question and time left; answers
/// approve, deny ("this wasn't me" or cancel) or a number; removes tokens.
@MainActor
@Observable
public final class InboxModel {
    /// The requests still answerable, oldest first.
    public private(set) var items: [InboxItem] = []
    /// The enrolled push tokens.
    public private(set) var tokens: [PushTokenInfo] = []
    /// The last answer's outcome.
    public private(set) var lastAnswer: AnswerOutcome?
    /// Why the last poll or answer failed, or which tokens could not be polled.
    public private(set) var message: String?
    /// A poll or answer is running.
    public private(set) var busy = false
    /// The request a notification opened, and what became of it; nil when none was opened.
    public private(set) var opened: OpenedRequest?

    @ObservationIgnored private let push: PushClient
    @ObservationIgnored private let notifier: RequestNotifier?
    @ObservationIgnored private let presence: UserPresence?
    @ObservationIgnored private var pending: [PushRequest] = []
    /// Requests whose `app_force_unlock` the user satisfied in this session.
    @ObservationIgnored private var revealed: Set<String> = []

    /// The inbox of `push`; `notifier` posts requests found by `refreshInBackground`;
    /// `presence` asks for the authentication a request's `app_force_unlock` demands (without
    /// one, such requests stay hidden and cannot be answered).
    public init(push: PushClient, notifier: RequestNotifier?, presence: UserPresence?) {
        self.push = push
        self.notifier = notifier
        self.presence = presence
    }

    /// Polls every token's server, then shows what is pending (on open, pull-to-refresh).
    /// Returns the requests that are new since the previous poll.
    @discardableResult
    public func refresh() async -> [InboxItem] {
        let push = self.push
        busy = true
        defer { busy = false }
        do {
            let (poll, pending, tokens) = try await offMain { (try push.poll(), try push.pending(), try push.tokens()) }
            show(pending, tokens)
            let failed = poll.failed.map { "\($0.serial): \($0.reason)" }
            message = failed.isEmpty ? nil : "Not reached: " + failed.joined(separator: "; ")
            return items.filter(\.isNew)
        } catch {
            message = userMessage(error)
            return []
        }
    }

    /// BGAppRefreshTask while the vault is open: polls and posts a notification for each new
    /// request (a hidden one without its question). Returns the requests notified.
    @discardableResult
    public func refreshInBackground() async -> [InboxItem] {
        let fresh = await refresh()
        for item in fresh { notifier?.notify(item) }
        return fresh
    }

    /// A notification was tapped: shows its request when it is still pending, and otherwise
    /// says what became of it. Looks in the inbox first (no network); polls once when the
    /// request is not there, as a notification can be newer than the inbox.
    public func open(requestId id: String) async {
        let push = self.push
        do {
            var state = try await offMain { try push.requestState(id: id) }
            if state == .unknown {
                await refresh()
                state = try await offMain { try push.requestState(id: id) }
            } else {
                await reload()
            }
            switch state {
            case .pending(let request): opened = .pending(id: request.id)
            case .expired: opened = .expired
            case .closed: opened = .closed
            case .unknown: opened = .unknown
            }
        } catch {
            message = userMessage(error)
        }
    }

    /// The opened request was dealt with, or its outcome read.
    public func dismissOpened() { opened = nil }

    /// Asks for the authentication a hidden request demands; shows it when the user passed.
    public func reveal(_ id: String) async {
        guard let request = pending.first(where: { $0.id == id }), let demand = request.forceUnlock else { return }
        guard let presence, await presence.confirm(demand, reason: "Show the sign-in request from \(request.issuer)") else {
            message = "The request stays hidden until you unlock."
            return
        }
        revealed.insert(id)
        message = nil
        show(pending, tokens)
    }

    /// Approves a request without number matching.
    public func approve(_ id: String) async {
        let push = self.push
        await answer(id) { try push.approve(id: id) }
    }

    /// Number matching: approves with the number the user picked.
    public func choose(_ id: String, _ number: String) async {
        let push = self.push
        await answer(id) { try push.choose(id: id, choice: number) }
    }

    /// Denies: `.notMe` ("this wasn't me": the server may alert) or `.cancel` (the user
    /// simply changed their mind).
    public func deny(_ id: String, _ reason: DenyReason) async {
        let push = self.push
        await answer(id) { try push.deny(id: id, reason: reason) }
    }

    /// Removes a push token (and its requests and device key).
    public func removeToken(_ serial: String) async {
        let push = self.push
        do {
            _ = try await offMain { try push.removeToken(serial: serial) }
            await reload()
        } catch {
            message = userMessage(error)
        }
    }

    private func answer(_ id: String, _ call: @escaping @Sendable () throws -> PushVerdict) async {
        // Core's app_force_unlock demand: no answer before the user authenticated.
        guard items.first(where: { $0.id == id })?.hidden != true else {
            message = "Unlock to answer this request."
            return
        }
        busy = true
        defer { busy = false }
        do {
            switch try await offMain(call) {
            case .accepted(let code): lastAnswer = .accepted(displayCode: code)
            case .refused: lastAnswer = .refused
            case .networkFailure(let reason): lastAnswer = .notDelivered(reason)
            }
            message = nil
        } catch {
            message = userMessage(error)
        }
        await reload()
    }

    /// The pending list again, without polling.
    private func reload() async {
        let push = self.push
        do {
            let (pending, tokens) = try await offMain { (try push.pending(), try push.tokens()) }
            show(pending, tokens)
        } catch {
            message = userMessage(error)
        }
    }

    private func show(_ pending: [PushRequest], _ tokens: [PushTokenInfo]) {
        self.pending = pending
        self.tokens = tokens
        revealed.formIntersection(pending.map(\.id))
        // An opened request that was answered (or expired) leaves the inbox: nothing to point at.
        if case .pending(let id) = opened, !pending.contains(where: { $0.id == id }) { opened = nil }
        let listedAt = Date()
        items = pending.map { InboxItem($0, revealed: revealed.contains($0.id), listedAt: listedAt) }
    }
}
