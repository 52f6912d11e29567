// The signatures of ios/App's Apple-only classes (Security, LocalAuthentication, UIKit,
// UserNotifications), with bodies that are never run: tests/ios-app/run.sh type-checks
// ios/App/Tessera/AppServices.swift (Foundation, Observation and the view models only) against
// the real TesseraAppModel and Tessera modules with these beside it, so the app's wiring of
// the models cannot drift from their API unnoticed. It proves nothing about the real classes,
// which only a Mac compiles (ios/README.md). Keep each declaration as the real one declares it.
import Foundation
import Tessera
import TesseraAppModel

final class LocalNotifier: RequestNotifier {
    var onOpen: ((String) -> Void)?
    func requestPermission() {}
    func notify(_ item: InboxItem) {}
}

final class SecureEnclaveKeys: KeyProvider, @unchecked Sendable {
    var requireBiometry: Bool
    init(
        tag: String = "org.tessera.app.vault-key", requireBiometry: Bool, interactive: Bool = true,
        usableWhileLocked: Bool = false
    ) { self.requireBiometry = requireBiometry }
    func wrap(key: Data) throws -> Data { fatalError("signature only") }
    func unwrap(wrapped: Data) throws -> Data { fatalError("signature only") }
}

final class KeychainPushKeys: PushDeviceKeys, @unchecked Sendable {
    func generate(alias: String, bits: UInt32) throws -> Data { fatalError("signature only") }
    func sign(alias: String, message: Data) throws -> Data { fatalError("signature only") }
    func delete(alias: String) throws {}
}

final class DevicePresence: UserPresence {
    func confirm(_ demand: ForceUnlock, reason: String) async -> Bool { false }
}

final class SystemPasteboard: Pasteboard {
    func copy(_ text: String, expiresAt: Date) {}
}

final class BackupFolderBookmark: BackupFolderStore {
    init(defaults: UserDefaults) {}
    func save(_ folder: URL) throws {}
    func load() throws -> URL? { nil }
    func clear() {}
}
