import Foundation
import Tessera

/// Core's `BackupDestination` over a folder: on iOS the folder the user picked in the
/// document picker (Files, iCloud Drive, a USB drive…), reached through its security-scoped
/// URL; in the Linux tests a temporary directory. Core chooses the file names and decides
/// everything else (when to write, verification, rotation).
///
/// Writes are atomic (a temporary file renamed over the name), so a backup is never seen half
/// written. Each call opens and closes the URL's security scope, as iOS asks for a URL that
/// came from a bookmark.
public final class FolderBackupDestination: BackupDestination, @unchecked Sendable {
    /// The folder.
    public let folder: URL

    /// Backups in `folder`.
    public init(folder: URL) {
        self.folder = folder
    }

    public func write(name: String, bytes: Data) throws {
        let file = try self.file(name)
        try scoped("write \(name)") { try bytes.write(to: file, options: .atomic) }
    }

    public func read(name: String) throws -> Data {
        let file = try self.file(name)
        return try scoped("read \(name)") { try Data(contentsOf: file) }
    }

    public func list() throws -> [String] {
        try scoped("list the folder") {
            try FileManager.default.contentsOfDirectory(atPath: folder.path)
        }
    }

    public func delete(name: String) throws {
        let file = try self.file(name)
        try scoped("delete \(name)") { try FileManager.default.removeItem(at: file) }
    }

    /// The file `name` in the folder. Core passes plain names; anything that could reach
    /// outside the folder is refused all the same.
    private func file(_ name: String) throws -> URL {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw TesseraError.Platform(reason: "not a plain file name for the backup folder")
        }
        return folder.appendingPathComponent(name, isDirectory: false)
    }

    /// Runs `work` inside the folder's security scope; a failure becomes `Platform` with a
    /// reason for the user (it names the file, never its content).
    private func scoped<T>(_ what: String, _ work: () throws -> T) throws -> T {
        #if canImport(Darwin)
            let scoped = folder.startAccessingSecurityScopedResource()
            defer { if scoped { folder.stopAccessingSecurityScopedResource() } }
        #endif
        do {
            return try work()
        } catch {
            throw TesseraError.Platform(
                reason: "the backup folder \(folder.lastPathComponent): cannot \(what): \((error as NSError).localizedDescription)")
        }
    }
}

/// Keeps the backup folder the user picked across launches. The app stores a bookmark of the
/// document picker's URL (`FolderBookmark` in `ios/App`), which keeps the right to use the
/// folder; the tests keep the URL itself.
public protocol BackupFolderStore: AnyObject {
    /// Remembers `folder`; throws when it cannot be kept (the picker's URL is not usable).
    func save(_ folder: URL) throws
    /// The remembered folder, nil when none; throws when it can no longer be reached (deleted,
    /// the drive removed): ask the user to pick it again.
    func load() throws -> URL?
    /// Forgets the folder.
    func clear()
}
