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

    /// Face ID / Touch ID guards the device key: on unless the user turned it off on the first
    /// run, before the vault (and with it the Secure Enclave key) was created; it binds the key
    /// made then.
    var requireBiometry: Bool {
        didSet {
            defaults.set(requireBiometry, forKey: Self.requireBiometryKey)
            vaultKeys.requireBiometry = requireBiometry
        }
    }

    @ObservationIgnored let notifier = LocalNotifier()
    @ObservationIgnored private let defaults = UserDefaults.standard
    @ObservationIgnored private let path: String
    @ObservationIgnored private let vaultKeys: SecureEnclaveKeys
    private static let requireBiometryKey = "requireBiometry"

    init() {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
        path = support.appendingPathComponent("vault.db").path
        let biometry = defaults.object(forKey: Self.requireBiometryKey) as? Bool ?? true
        requireBiometry = biometry
        vaultKeys = SecureEnclaveKeys(requireBiometry: biometry)
        unlock = UnlockModel(path: path, keys: vaultKeys, clock: nil, lockTimeout: SettingsModel.savedLockTimeout(defaults))
        notifier.onOpen = { [weak self] id in self?.openRequest = id }
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
            add: AddAccountModel(vault: vault, push: push, notifier: notifier),
            inbox: InboxModel(push: push, notifier: notifier, presence: DevicePresence()),
            transfer: TransferModel(vault: vault),
            settings: SettingsModel(vault: vault, push: push, defaults: defaults, unlock: unlock),
            backup: BackupModel(
                vault: vault, folders: BackupFolderBookmark(defaults: defaults), clock: nil, sleeper: SystemSleeper()))
        session?.backup.start()
        // Background polling through core's poll slot, renewed at every unlock: the
        // background refresh then never needs the vault (nor its Face ID).
        Task { _ = await BackgroundPolling.enable(vault: vault, keys: Self.pollSlotKeys) }
    }

    /// The poll slot's device key: a Secure Enclave key like the vault's, but with no Face ID
    /// and usable after the first unlock since the phone started, so a background task can
    /// open the slot while the phone is locked. It opens only the slot, which can fetch
    /// requests and never answer them (docs/security.md).
    static let pollSlotKeys = SecureEnclaveKeys(
        tag: "org.tessera.app.poll-slot-key", requireBiometry: false, interactive: false, usableWhileLocked: true)

    /// The app goes to the background: what is not backed up yet is written first (core's
    /// flush), then the app lock's idle time starts.
    func enteredBackground(atMillis now: UInt64) async {
        await session?.backup.flush()
        unlock.enteredBackground(atMillis: now)
    }

    /// BGAppRefreshTask: polls through the open vault, or, when it is locked, through its
    /// poll slot without opening it (core fetches; nothing can be answered in the background).
    /// The choice is the model's (`BackgroundPolling.refresh`, tested against privacyIDEA).
    func backgroundRefresh() async {
        _ = await BackgroundPolling.refresh(
            inbox: session?.inbox, vaultPath: path, keys: Self.pollSlotKeys, deviceKeys: KeychainPushKeys(),
            transport: URLSessionTransport(), clock: nil, notifier: notifier)
    }
}
