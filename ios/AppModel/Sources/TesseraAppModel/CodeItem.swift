import Foundation
import Tessera

/// One row of the codes screen: core's `DisplayCode` with what drawing between two lists
/// needs (the ring's fraction at any instant, the code as VoiceOver reads it).
public struct CodeItem: Identifiable, Equatable, Sendable {
    /// The account's id.
    public let id: String
    /// Service name.
    public let issuer: String
    /// Account name at the service.
    public let label: String
    /// The one line to show for the account (core's choice of issuer and label).
    public let displayName: String
    /// The code grouped for reading ("123 456"), or nil when this account has none.
    public let displayCode: String?
    /// The code as it is typed: what a copy puts on the pasteboard.
    public let code: String?
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

    /// The share of the period left at `now` (1 = just changed, 0 = changing), for drawing the
    /// countdown ring smoothly between two lists (core's `fractionLeft` is the value at the
    /// list's instant); nil for HOTP.
    public func fractionLeft(at now: Double) -> Double? {
        guard let period, let validUntil, period > 0 else { return nil }
        return min(1, max(0, (Double(validUntil) - now) / Double(period)))
    }

    /// The code as VoiceOver should read it (core's `spokenCode`): one character at a time,
    /// never as a number ("one hundred twenty-three thousand…"), with a pause between the
    /// groups the eye sees ("123 456" → "1 2 3, 4 5 6").
    public var spokenCode: String? {
        (displayCode ?? code).map { Tessera.spokenCode(code: $0) }
    }
}

// In an extension, so that the struct keeps its memberwise initializer (the tests build rows).
extension CodeItem {
    /// The row of core's `code`.
    public init(_ code: DisplayCode) {
        self.init(
            id: code.id, issuer: code.issuer, label: code.label, displayName: code.displayName,
            displayCode: code.displayCode, code: code.code, problem: code.problem, kind: code.kind, period: code.period,
            validUntil: code.validUntil, favorite: code.favorite, groups: code.groups)
    }
}
