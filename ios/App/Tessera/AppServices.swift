import Foundation
import Observation
import Tessera
import TesseraAppModel

/// Wires the platform services into the view models: the vault file, the Secure Enclave key,
/// the Keychain push keys, URLSession, the pasteboard and notifications. No rule lives here.
@MainActor
@Observable
final class AppServices {
    /// The models of an open vault.
    struct Session {
        let codes: CodesModel
        let add: AddAccountModel
        let inbox: InboxModel
        let transfer: TransferModel
        let settings: SettingsModel
        let backup: BackupModel
    }

    let unlock: UnlockModel
    private(set) var session: Session?
    /// A request a notification opened, shown by the inbox.
    var openRequest: String?
    /// A link the system opened (otpauth://, otpauth-migration://, pia://), added once the
    /// vault is open.
    var pendingLink: String?

    @ObservationIgnored let notifier = LocalNotifier()
    @ObservationIgnored private let defaults = UserDefaults.standard
    @ObservationIgnored private let path: String

    init() {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
        path = support.appendingPathComponent("vault.db").path
        let keys = SecureEnclaveKeys(requireBiometry: Self.requireBiometry(defaults))
        unlock = UnlockModel(path: path, keys: keys, clock: nil, idleTimeout: SettingsModel.savedIdleTimeout(defaults))
        notifier.onOpen = { [weak self] id in self?.openRequest = id }
    }

    /// Face ID / Touch ID guards the device key (on unless the user turned it off before the
    /// vault was created).
    static func requireBiometry(_ defaults: UserDefaults) -> Bool {
        defaults.object(forKey: "requireBiometry") as? Bool ?? true
    }

    /// Builds or drops the session's models as the vault opens and locks.
    func stageChanged() {
        guard unlock.stage == .unlocked, let vault = unlock.vault else {
            session?.codes.stop()
            session?.backup.stop()
            session = nil
            return
        }
        guard session == nil else { return }
        let push = PushClient(vault: vault, deviceKeys: KeychainPushKeys(), transport: URLSessionTransport())
        session = Session(
            codes: CodesModel(vault: vault, sleeper: SystemSleeper(), pasteboard: SystemPasteboard()),
            add: AddAccountModel(vault: vault, push: push),
            inbox: InboxModel(push: push, notifier: notifier, presence: DevicePresence()),
            transfer: TransferModel(vault: vault),
            settings: SettingsModel(vault: vault, push: push, defaults: defaults, unlock: unlock),
            backup: BackupModel(
                vault: vault, folders: BackupFolderBookmark(defaults: defaults), clock: nil, sleeper: SystemSleeper()))
        session?.backup.start()
    }

    /// The app goes to the background: what is not backed up yet is written first (core's
    /// flush), then the app lock's idle time starts.
    func enteredBackground(at date: Date) async {
        await session?.backup.flush()
        unlock.enteredBackground(at: date)
    }

    /// BGAppRefreshTask: polls when the vault is open. When it is locked, it is opened only if
    /// that needs no prompt (no Face ID requirement, phone unlocked) and locked again after.
    func backgroundRefresh() async {
        if let session {
            await session.inbox.refreshInBackground()
            return
        }
        let silent = SecureEnclaveKeys(requireBiometry: Self.requireBiometry(defaults), interactive: false)
        let path = self.path
        guard let vault = try? await Task.detached(operation: { try Vault.open(path: path, keys: silent, clock: nil) }).value
        else { return }
        let push = PushClient(vault: vault, deviceKeys: KeychainPushKeys(), transport: URLSessionTransport())
        await InboxModel(push: push, notifier: notifier, presence: nil).refreshInBackground()
        vault.lock()
    }
}
