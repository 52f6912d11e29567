import SwiftUI
import Tessera
import TesseraAppModel
import UniformTypeIdentifiers

/// Settings: app lock, moving accounts, the trash, the password, licences.
struct SettingsView: View {
    @Bindable var model: SettingsModel
    let transfer: TransferModel
    let backup: BackupModel
    let lock: () -> Void
    @State private var password = ""
    @State private var repeated = ""

    var body: some View {
        NavigationStack {
            Form {
                Section("App lock") {
                    Picker("Lock after", selection: $model.lockTimeout) {
                        ForEach(lockTimeoutChoices(), id: \.self) { timeout in
                            Text(Self.title(timeout)).tag(timeout)
                        }
                    }
                    Button("Lock now", action: lock)
                }
                Section("Time") {
                    if let time = model.serverTime, let offset = model.serverTimeText {
                        Text("This iPhone's clock is \(offset).")
                        if time.warning {
                            Text("Your device clock is wrong; codes use the server's time.").foregroundStyle(.orange)
                        }
                        Button("Use the device clock again") { Task { await model.resetServerTime() } }
                    } else {
                        Text("Codes use the device clock.").foregroundStyle(.secondary)
                    }
                    Button("Sync with the sign-in server") { Task { await model.syncTime() } }
                }
                Section("Never lose an account") {
                    NavigationLink("Automatic backups and recovery key") { BackupView(model: backup) }
                    BackupReminder(status: backup.status)
                }
                Section("Move accounts") {
                    NavigationLink("Import and export") { TransferView(model: transfer) }
                }
                Section(model.hasPassword ? "Change password" : "Set a password") {
                    SecureField("New password", text: $password).textContentType(.newPassword)
                    SecureField("Repeat it", text: $repeated).textContentType(.newPassword)
                    Button("Save password") {
                        Task {
                            await model.changePassword(password, repeated: repeated)
                            password = ""
                            repeated = ""
                        }
                    }
                    .disabled(password.isEmpty)
                }
                Section("Trash") {
                    if model.trash.isEmpty { Text("Empty").foregroundStyle(.secondary) }
                    ForEach(model.trash, id: \.id) { account in
                        HStack {
                            Text(account.displayName)
                            Spacer()
                            Button("Restore") { Task { await model.restore(account.id) } }.buttonStyle(.borderless)
                        }
                        .swipeActions {
                            Button("Delete", role: .destructive) { Task { await model.purge(account.id) } }
                        }
                    }
                }
                Section("About") {
                    NavigationLink("Licences") { LicencesView() }
                }
                if let message = model.message { Text(message) }
            }
            .navigationTitle("Settings")
        }
        .task {
            await model.load()
            await backup.load()
        }
    }
}

extension SettingsView {
    /// A lock timeout in words.
    static func title(_ timeout: LockTimeout) -> String {
        switch timeout {
        case .immediately: return "Immediately"
        case .never: return "Never"
        case .after(let seconds): return Duration.seconds(seconds).formatted(.units(allowed: [.minutes, .seconds]))
        }
    }
}

/// Core's backup status in one line, for the settings list.
struct BackupReminder: View {
    let status: AutoBackupStatus?

    var body: some View {
        if let status {
            if !status.enabled {
                Label("Automatic backups are off: losing this iPhone loses your accounts.", systemImage: "exclamationmark.triangle")
                    .foregroundStyle(.orange)
            } else if let failure = status.lastFailure {
                Label("The last backup failed: \(failure)", systemImage: "exclamationmark.triangle").foregroundStyle(.red)
            } else if status.askForPassword {
                Label("Check that you still know your backup password.", systemImage: "key")
            } else if let last = status.lastVerifiedAt {
                Label("Backed up \(Date(timeIntervalSince1970: TimeInterval(last)).formatted(.relative(presentation: .named)))", systemImage: "checkmark.icloud")
            }
        }
    }
}

/// Automatic backups to a folder picked in Files (security-scoped, remembered as a bookmark),
/// the backup password check core asks for now and then, restoring the newest backup, and
/// the recovery key (shown once, confirmed written down).
struct BackupView: View {
    let model: BackupModel
    @State private var picking = false
    @State private var restoring = false
    @State private var folder: URL?
    @State private var password = ""
    @State private var repeated = ""
    @State private var check = ""
    @State private var restorePassword = ""

    var body: some View {
        Form {
            Section("Automatic backups") {
                BackupReminder(status: model.status)
                if model.status?.enabled == true {
                    if let name = model.folderName { LabeledContent("Folder", value: name) }
                    if let keep = model.status?.keep { LabeledContent("Backups kept", value: "\(keep)") }
                    if model.status?.askForPassword == true {
                        SecureField("Backup password", text: $check)
                        Button("Check it") { Task { await model.testPassword(check); check = "" } }
                    }
                    Button("Back up now") { Task { await model.flush() } }
                    Button("Turn off", role: .destructive) { Task { await model.disable() } }
                } else {
                    Button(folder == nil ? "Choose a folder" : "Folder: \(folder!.lastPathComponent)") { picking = true }
                    SecureField("Backup password", text: $password).textContentType(.newPassword)
                    SecureField("Repeat it", text: $repeated).textContentType(.newPassword)
                    Text("You need this password to restore a backup. Write it down.").font(.footnote)
                    Button("Turn on") {
                        guard let folder else { return }
                        Task {
                            await model.enable(folder: folder, password: password, repeated: repeated)
                            password = ""
                            repeated = ""
                        }
                    }
                    .disabled(folder == nil || password.isEmpty || model.busy)
                }
            }
            Section("Restore") {
                SecureField("Backup password", text: $restorePassword)
                Button("Restore the newest backup from a folder") { restoring = true }
                    .disabled(restorePassword.isEmpty || model.busy)
            }
            Section("Recovery key") {
                Text("A recovery key opens your vault when this iPhone's key is gone and you forgot your password. Print it or write it down; Tessera keeps no copy.")
                    .font(.footnote)
                Button(model.hasRecoveryKey ? "Make a new recovery key" : "Make a recovery key") {
                    Task { await model.createRecoveryKey() }
                }
                if model.hasRecoveryKey {
                    Button("Revoke the recovery key", role: .destructive) { Task { await model.revokeRecoveryKey() } }
                }
            }
            if model.busy { ProgressView() }
            if let message = model.message { Text(message) }
        }
        .navigationTitle("Backups")
        .fileImporter(isPresented: $picking, allowedContentTypes: [.folder]) { result in
            if case .success(let url) = result { folder = url }
        }
        .fileImporter(isPresented: $restoring, allowedContentTypes: [.folder]) { result in
            guard case .success(let url) = result else { return }
            Task {
                await model.restoreLatest(from: url, password: restorePassword)
                restorePassword = ""
            }
        }
        .sheet(isPresented: Binding(get: { model.newRecoveryKey != nil }, set: { _ in })) {
            RecoveryKeySheet(key: model.newRecoveryKey ?? "", saved: model.recoveryKeySaved)
        }
        .task { await model.load() }
    }
}

/// The new recovery key, shown once: it leaves the screen only when the user says it is
/// written down (the sheet cannot be swiped away).
struct RecoveryKeySheet: View {
    let key: String
    let saved: () -> Void
    @State private var written = false

    var body: some View {
        VStack(spacing: 24) {
            Text("Your recovery key").font(.title2.bold())
            Text(key).font(.title3.monospaced()).multilineTextAlignment(.center).textSelection(.enabled)
                .accessibilityLabel(key.map { $0 == "-" ? "," : String($0) }.joined(separator: " "))
            Text("Write it down and keep it somewhere safe. It will not be shown again.")
                .multilineTextAlignment(.center)
            Toggle("I have written it down", isOn: $written)
            Button("Done", action: saved).buttonStyle(.borderedProminent).disabled(!written)
        }
        .padding()
        .interactiveDismissDisabled()
    }
}

/// Import (`fileImporter`, a password when the file needs one, the per-entry report) and
/// export (`fileExporter`, consent before a plain file).
struct TransferView: View {
    let model: TransferModel
    @State private var importing = false
    @State private var password = ""
    @State private var exportPassword = ""
    @State private var format = ExportFormat.tesseraBackup

    var body: some View {
        Form {
            Section("Import") {
                Button("Choose a file") { importing = true }
                importState
            }
            Section("Export") {
                Picker("Format", selection: $format) {
                    ForEach(model.exportFormats, id: \.format) { info in
                        Text(Self.title(info)).tag(info.format)
                    }
                }
                if exportFormatInfo(format: format).encryption != .never {
                    SecureField("Password for the file", text: $exportPassword)
                }
                Button("Export") { Task { await model.export(format, password: exportPassword) } }
                exportState
            }
        }
        .navigationTitle("Import and export")
        .fileImporter(isPresented: $importing, allowedContentTypes: [.data]) { result in
            guard case .success(let url) = result else { return }
            let scoped = url.startAccessingSecurityScopedResource()
            defer { if scoped { url.stopAccessingSecurityScopedResource() } }
            guard let data = try? Data(contentsOf: url) else { return }
            Task { await model.importFile(data) }
        }
        .fileExporter(isPresented: exporting, document: exportDocument, contentType: exportType, defaultFilename: exportName) { _ in
            model.finishExport()
        }
    }

    /// A format's name in the picker (core's title), with what core says about its encryption.
    static func title(_ info: ExportFormatInfo) -> String {
        switch info.encryption {
        case .always: return "\(info.title) (encrypted)"
        case .optional: return "\(info.title) (encrypted with a password)"
        case .never: return "\(info.title) (not encrypted)"
        }
    }

    @ViewBuilder private var importState: some View {
        switch model.importStage {
        case .idle: EmptyView()
        case .needsPassword:
            SecureField("The file's password", text: $password)
            Button("Import") { Task { await model.submitPassword(password) } }
            Button("Cancel", role: .cancel) { model.cancelImport() }
            if let message = model.message { Text(message).foregroundStyle(.red) }
        case .importing:
            if let progress = model.progress, progress.total > 0 {
                ProgressView(value: Double(progress.written), total: Double(progress.total))
            } else {
                ProgressView()
            }
        case .report(let report):
            Text("\(report.imported) added, \(report.duplicates) already there, \(report.failed) not imported")
            ForEach(Array(report.entries.enumerated()), id: \.offset) { _, entry in
                EntryRow(entry: entry)
            }
        case .failed(let why): Text(why).foregroundStyle(.red)
        }
    }

    @ViewBuilder private var exportState: some View {
        switch model.exportStage {
        case .needsConsent:
            Text("This file will not be encrypted: anyone who gets it can copy every account.")
            Button("Export unencrypted", role: .destructive) { Task { await model.confirmPlainExport() } }
            Button("Cancel", role: .cancel) { model.finishExport() }
        case .ready(_, _, let skipped) where !skipped.isEmpty:
            ForEach(skipped, id: \.name) { Text("Left out: \($0.name) — \($0.reason)") }
        case .failed(let why): Text(why).foregroundStyle(.red)
        default: EmptyView()
        }
    }

    private var exporting: Binding<Bool> {
        Binding(get: { if case .ready = model.exportStage { true } else { false } }, set: { if !$0 { model.finishExport() } })
    }

    private var exportDocument: ExportDocument? {
        if case .ready(let data, _, _) = model.exportStage { ExportDocument(data: data) } else { nil }
    }

    /// Core's file name for the export.
    private var exportName: String? {
        if case .ready(_, let file, _) = model.exportStage { file.fileName } else { nil }
    }

    /// The export's type from core's MIME type (`data` when iOS knows none for it).
    private var exportType: UTType {
        if case .ready(_, let file, _) = model.exportStage { UTType(mimeType: file.mimeType) ?? .data } else { .data }
    }
}

/// One entry of an import report.
struct EntryRow: View {
    let entry: ImportEntry

    var body: some View {
        switch entry.outcome {
        case .imported, .wouldImport: Label(entry.name, systemImage: "checkmark.circle")
        case .duplicate, .repeatedInSource: Label("\(entry.name): already there", systemImage: "equal.circle")
        case .unsupported(let why), .invalid(let why): Label("\(entry.name): \(why)", systemImage: "xmark.circle")
        }
    }
}

/// The export's bytes for `fileExporter`.
struct ExportDocument: FileDocument {
    static var readableContentTypes: [UTType] { [.data] }
    /// What core's MIME types (`exportFile`) become: JSON, plain text, or bytes.
    static var writableContentTypes: [UTType] { [.data, .json, .plainText] }
    let data: Data
    init(data: Data) { self.data = data }
    init(configuration: ReadConfiguration) throws { data = configuration.file.regularFileContents ?? Data() }
    func fileWrapper(configuration: WriteConfiguration) throws -> FileWrapper { FileWrapper(regularFileWithContents: data) }
}

/// The third-party notice the Tessera package ships (its resource bundle, copied in by
/// ios/build-xcframework.sh).
struct LicencesView: View {
    private var text: String {
        let bundle = Bundle.main.url(forResource: "Tessera_Tessera", withExtension: "bundle").flatMap(Bundle.init(url:))
        let url = bundle?.url(forResource: "THIRD-PARTY-NOTICES", withExtension: "md")
        return url.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "The licence notice is missing from this build."
    }

    var body: some View {
        ScrollView { Text(text).font(.footnote.monospaced()).padding().textSelection(.enabled) }
            .navigationTitle("Licences")
    }
}
