import Foundation
import TesseraAppModel

/// Remembers the automatic-backup folder the user picked in the document picker as a bookmark
/// in the app's defaults. On iOS a bookmark of a picker URL keeps the right to use the folder
/// across launches (the URL it resolves to is security-scoped; `FolderBackupDestination`
/// opens the scope around each call). A stale bookmark (the folder moved) is renewed.
final class BackupFolderBookmark: BackupFolderStore {
    private let defaults: UserDefaults
    private let key = "autoBackupFolderBookmark"

    init(defaults: UserDefaults) {
        self.defaults = defaults
    }

    func save(_ folder: URL) throws {
        let scoped = folder.startAccessingSecurityScopedResource()
        defer { if scoped { folder.stopAccessingSecurityScopedResource() } }
        defaults.set(try folder.bookmarkData(options: [], includingResourceValuesForKeys: nil, relativeTo: nil), forKey: key)
    }

    func load() throws -> URL? {
        guard let data = defaults.data(forKey: key) else { return nil }
        var stale = false
        let folder = try URL(resolvingBookmarkData: data, options: [], relativeTo: nil, bookmarkDataIsStale: &stale)
        if stale { try save(folder) }
        return folder
    }

    func clear() {
        defaults.removeObject(forKey: key)
    }
}
