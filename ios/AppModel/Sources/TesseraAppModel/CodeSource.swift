import Foundation
import Tessera

/// One row of the codes screen, as core describes it.
public struct CodeItem: Identifiable, Equatable, Sendable {
    /// The account's id.
    public let id: String
    /// Service name.
    public let issuer: String
    /// Account name at the service.
    public let label: String
    /// The code as it is shown, or nil when this account has none (see `problem`).
    public let displayCode: String?
    /// Why this account shows no code (e.g. damaged data); never a secret.
    public let problem: String?
    /// TOTP, HOTP or Steam.
    public let kind: OtpKind
    /// Seconds per code; nil for HOTP (its code changes only when the user asks).
    public let period: UInt32?
    /// Unix second the code changes; nil for HOTP.
    public let validUntil: UInt64?
    /// Pinned to the top.
    public let favorite: Bool
    /// The account's groups.
    public let groups: [String]

    /// The share of the period still left at `now` (1 = just changed, 0 = changing), for the
    /// countdown ring; nil for HOTP.
    public func fractionLeft(at now: Double) -> Double? {
        guard let period, let validUntil, period > 0 else { return nil }
        return min(1, max(0, (Double(validUntil) - now) / Double(period)))
    }

    /// The code as VoiceOver should read it: one character at a time ("1 2 3 4 5 6"), never
    /// as a number ("one hundred twenty-three thousand…").
    public var spokenCode: String? {
        displayCode.map { code in code.filter { $0 != " " }.map(String.init).joined(separator: " ") }
    }
}

/// What the codes screen asks for: a search text and an optional group.
public struct CodeQuery: Equatable, Sendable {
    /// Case-insensitive text the issuer or label must contain (empty: everything).
    public var text: String = ""
    /// Only accounts in this group.
    public var group: String?

    /// A query; the default shows every account.
    public init(text: String = "", group: String? = nil) {
        self.text = text
        self.group = group
    }
}

/// One computed list: the rows in core's order (favorites first, then the user's order) and
/// the Unix second the first of their codes changes.
public struct CodeList: Equatable, Sendable {
    /// The rows.
    public let items: [CodeItem]
    /// When the screen must be refreshed next; nil when no code expires (only HOTP, or none).
    public let nextChangeAt: UInt64?
}

/// Where the codes screen gets its rows from: core's code list for a query.
public protocol CodeSource: Sendable {
    /// The rows for `query`, now.
    func codeList(_ query: CodeQuery) throws -> CodeList
}

/// The code list from today's bindings: `Vault.list` (order, filter, groups) joined with
/// `Vault.codesAt`. Stand-in until core's `Vault.codeList(query)` is exported, which computes
/// the same list (and `nextChangeAt`, the display grouping) in one call; then this type
/// becomes a one-line forward.
public struct VaultCodeSource: CodeSource {
    let vault: Vault
    let clock: Clock?

    /// Codes of `vault` at the time of `clock` (the system's when nil).
    public init(vault: Vault, clock: Clock?) {
        self.vault = vault
        self.clock = clock
    }

    public func codeList(_ query: CodeQuery) throws -> CodeList {
        let now = unixNow(clock)
        let filter = ListFilter(text: query.text.isEmpty ? nil : query.text, group: query.group, favoritesOnly: false)
        let accounts = try vault.list(filter: filter)
        let codes = Dictionary(uniqueKeysWithValues: try vault.codesAt(unixTime: now).map { ($0.id, $0) })
        let items = accounts.compactMap { account -> CodeItem? in
            guard let code = codes[account.id] else { return nil }
            let timed = code.kind != .hotp
            return CodeItem(
                id: account.id, issuer: account.issuer, label: account.label, displayCode: code.code,
                problem: code.problem, kind: code.kind, period: timed ? code.period : nil,
                validUntil: timed ? now + UInt64(code.remainingSeconds) : nil, favorite: account.favorite,
                groups: account.groups)
        }
        return CodeList(items: items, nextChangeAt: items.compactMap(\.validUntil).min())
    }
}
