import Foundation
import Observation
import Tessera

/// Moving accounts in and out: a picked file imported with core's detection, a password
/// asked for only when core says the file needs one, the per-entry report; exports with the
/// user's consent before anything leaves unencrypted.
@MainActor
@Observable
public final class TransferModel {
    /// Where an import stands.
    public enum ImportStage: Equatable, Sendable {
        /// Nothing picked.
        case idle
        /// The file is encrypted: ask for its password (again, after a wrong one: see `message`).
        case needsPassword(ImportFormat?)
        /// Reading and storing (Argon2id/PBKDF2 for encrypted files takes a moment).
        case importing
        /// Done: every entry and what happened to it.
        case report(ImportReport)
        /// Nothing was imported; why.
        case failed(String)
    }

    /// Where an export stands.
    public enum ExportStage: Equatable, Sendable {
        /// Nothing asked.
        case idle
        /// The export would be readable by anyone holding the file: ask before writing it.
        case needsConsent(ExportFormat)
        /// Ready for `fileExporter`: the file's bytes, core's name, extension and MIME type for
        /// it, and the accounts left out.
        case ready(data: Data, file: ExportFile, skipped: [SkippedAccount])
        /// Nothing was exported; why.
        case failed(String)
    }

    /// The import's stage.
    public private(set) var importStage: ImportStage = .idle
    /// The export's stage.
    public private(set) var exportStage: ExportStage = .idle
    /// A wrong password's message while `needsPassword` is shown again.
    public private(set) var message: String?
    /// While importing: accounts written so far and in all, for a progress bar.
    public private(set) var progress: (written: UInt64, total: UInt64)?

    @ObservationIgnored private let vault: Vault
    @ObservationIgnored private var pickedFile: Data?

    /// Transfers for `vault`.
    public init(vault: Vault) { self.vault = vault }

    /// A file from `fileImporter`: detected and imported, or a password asked for.
    public func importFile(_ data: Data) async {
        pickedFile = data
        message = nil
        await runImport(password: nil)
    }

    /// The password for the picked file.
    public func submitPassword(_ password: String) async {
        await runImport(password: password)
    }

    /// The user gave up on the picked file.
    public func cancelImport() {
        pickedFile = nil
        message = nil
        importStage = .idle
    }

    /// The export formats in core's order, each with its title and core's word on whether it
    /// is never, optionally or always encrypted (the screen shows a password field unless it
    /// is never).
    public var exportFormats: [ExportFormatInfo] { Tessera.exportFormats() }

    /// Starts an export. Without encryption (a format that has none, or no password for one
    /// where it is optional) it waits for `confirmPlainExport`; otherwise it is made, and core
    /// says when a format needs a password that was not given.
    public func export(_ format: ExportFormat, password: String?) async {
        let password = password.flatMap { $0.isEmpty ? nil : $0 }
        switch (exportFormatInfo(format: format).encryption, password) {
        case (.never, _), (.optional, nil):
            exportStage = .needsConsent(format)
        default:
            await runExport(format, password: password, unencrypted: false)
        }
    }

    /// The user accepted that the export is readable by anyone who gets the file.
    public func confirmPlainExport() async {
        guard case .needsConsent(let format) = exportStage else { return }
        await runExport(format, password: nil, unencrypted: true)
    }

    /// The export was written or abandoned: forget its bytes (they hold secrets).
    public func finishExport() { exportStage = .idle }

    private func runImport(password: String?) async {
        guard let data = pickedFile else { return }
        let vault = self.vault
        let format = detectImportFormat(data: data)
        importStage = .importing
        progress = nil
        let relay = ProgressRelay { [weak self] written, total in
            Task { @MainActor in
                // A report that arrives after the import ended is dropped.
                if self?.importStage == .importing { self?.progress = (written, total) }
            }
        }
        defer { progress = nil }
        do {
            let report = try await offMain {
                try importIntoVault(vault: vault, data: data, format: nil, password: password, dryRun: false, progress: relay)
            }
            pickedFile = nil
            message = nil
            importStage = .report(report)
        } catch TesseraError.WrongPassword {
            message = userMessage(TesseraError.WrongPassword)
            importStage = .needsPassword(format)
        } catch TesseraError.PasswordRequired {
            importStage = .needsPassword(format)
        } catch {
            pickedFile = nil
            importStage = .failed(userMessage(error))
        }
    }

    private func runExport(_ format: ExportFormat, password: String?, unencrypted: Bool) async {
        let vault = self.vault
        do {
            let result = try await offMain {
                try exportFromVault(vault: vault, format: format, password: password, unencrypted: unencrypted)
            }
            let file = try exportFile(
                format: format, encrypted: !unencrypted, unixTime: UInt64(Date().timeIntervalSince1970),
                utcOffsetSeconds: Int32(TimeZone.current.secondsFromGMT()))
            exportStage = .ready(data: result.data, file: file, skipped: result.skipped)
        } catch {
            exportStage = .failed(userMessage(error))
        }
    }
}

/// Core's import progress, handed to a closure (called on the importing thread).
final class ProgressRelay: ImportProgressListener, @unchecked Sendable {
    private let report: @Sendable (UInt64, UInt64) -> Void

    init(_ report: @escaping @Sendable (UInt64, UInt64) -> Void) { self.report = report }

    func onProgress(written: UInt64, total: UInt64) throws { report(written, total) }
}
