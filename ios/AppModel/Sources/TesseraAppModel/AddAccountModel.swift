import Foundation
import Observation
import Tessera

/// What a scanned or opened link turned out to be and what became of it.
public enum AddResult: Equatable, Sendable {
    /// One OTP account was added.
    case added(id: String)
    /// A push token was enrolled with the privacyIDEA server.
    case enrolled(serial: String, issuer: String, label: String)
    /// A file-like payload (a Google Authenticator transfer, an image's QR codes) was
    /// imported; the per-entry report.
    case imported(ImportReport)
    /// An image held several QR codes: what became of each, in reading order.
    case several([AddResult])
    /// Nothing was added; why.
    case failed(String)
}

/// Adding accounts: a scanned QR code or an opened link (`otpauth://`,
/// `otpauth-migration://`, privacyIDEA's `otpauth://pipush/` and `pia://`), classified by
/// core; a picked image decoded by core; typing one in with core's per-kind defaults.
@MainActor
@Observable
public final class AddAccountModel {
    /// The outcome of the last add, for the screen.
    public private(set) var result: AddResult?
    /// A call is running (enrolling a push token creates a key and asks the server).
    public private(set) var busy = false

    @ObservationIgnored private let vault: Vault
    @ObservationIgnored private let push: PushClient
    @ObservationIgnored private let notifier: RequestNotifier?

    /// Adds to `vault`; push enrollments go through `push`, and each one asks `notifier` for
    /// the permission to post sign-in requests.
    public init(vault: Vault, push: PushClient, notifier: RequestNotifier? = nil) {
        self.vault = vault
        self.push = push
        self.notifier = notifier
    }

    /// The fields a manual entry starts with for `kind` (core's defaults: digits, period,
    /// algorithm).
    public func defaults(for kind: OtpKind) -> OtpParams {
        otpDefaults(kind: kind)
    }

    /// A scanned QR code's text or an opened URL.
    @discardableResult
    public func open(link: String) async -> AddResult {
        let vault = self.vault
        let push = self.push
        let outcome = await run {
            switch try Self.classify(link) {
            case .otp:
                return .added(id: try vault.addUri(uri: link))
            case .pushEnrollment:
                let token = try push.enroll(uri: link, keyBits: 2048, listener: nil, allowInsecureTransport: false)
                return .enrolled(serial: token.serial, issuer: token.issuer, label: token.label)
            case .file(let format):
                return .imported(try importIntoVault(vault: vault, data: Data(link.utf8), format: format, password: nil, dryRun: false))
            }
        }
        if case .enrolled = outcome { notifier?.requestPermission() }
        return outcome
    }

    /// An account typed in by hand.
    @discardableResult
    public func add(issuer: String, label: String, secret: String, params: OtpParams) async -> AddResult {
        let vault = self.vault
        return await run {
            .added(id: try vault.add(account: OtpAccount(issuer: issuer, label: label, secretBase32: secret, params: params)))
        }
    }

    /// A camera frame's or a decoded image's grey levels (`width * height` bytes): core finds
    /// the QR codes in it (`scanQrLuma`) and each goes the way a scanned link goes, so an image
    /// of a push enrollment enrolls.
    @discardableResult
    public func addImage(width: UInt32, height: UInt32, luma: Data) async -> AddResult {
        let texts: [String]
        do {
            texts = try await offMain { try scanQrLuma(width: width, height: height, luma: luma) }
        } catch {
            result = .failed(userMessage(error))
            return .failed(userMessage(error))
        }
        var outcomes: [AddResult] = []
        for text in texts { outcomes.append(await open(link: text)) }
        let outcome = outcomes.count == 1 ? outcomes[0] : .several(outcomes)
        result = outcome
        return outcome
    }

    /// What a link is, by core (`uriKind`): an OTP account, a push enrollment or a batch to
    /// import (a Google Authenticator transfer). `InvalidInput` with core's reason otherwise.
    nonisolated static func classify(_ link: String) throws -> LinkKind {
        switch try uriKind(uri: link) {
        case .otp: return .otp
        case .pushEnrollment: return .pushEnrollment
        case .importBatch: return .file(.googleMigration)
        }
    }

    /// A link's kind.
    enum LinkKind {
        case otp, pushEnrollment, file(ImportFormat)
    }

    private func run(_ work: @escaping @Sendable () throws -> AddResult) async -> AddResult {
        busy = true
        defer { busy = false }
        let outcome: AddResult
        do { outcome = try await offMain(work) } catch { outcome = .failed(userMessage(error)) }
        result = outcome
        return outcome
    }
}
