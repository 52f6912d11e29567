import Foundation
import TesseraAppModel
import UIKit
import UniformTypeIdentifiers

/// Copied codes go on the general pasteboard as a local-only item (never synced to the
/// user's other devices by Universal Clipboard) that iOS removes when it expires.
final class SystemPasteboard: Pasteboard {
    func copy(_ text: String, expiresAt: Date) {
        UIPasteboard.general.setItems(
            [[UTType.utf8PlainText.identifier: text]],
            options: [.localOnly: true, .expirationDate: expiresAt])
    }
}
