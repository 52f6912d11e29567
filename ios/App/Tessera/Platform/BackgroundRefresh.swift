import BackgroundTasks
import Foundation
import TesseraAppModel
import UserNotifications

/// Push requests found in the background become local notifications; tapping one opens the
/// inbox at that request (`AppServices.openRequest`).
final class LocalNotifier: NSObject, RequestNotifier, UNUserNotificationCenterDelegate {
    static let requestKey = "pushRequest"
    var onOpen: ((String) -> Void)?

    override init() {
        super.init()
        UNUserNotificationCenter.current().delegate = self
    }

    /// Asks for permission to post alerts (iOS shows the prompt only the first time; the
    /// add model calls this after each push enrollment).
    func requestPermission() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound]) { _, _ in }
    }

    func notify(_ item: InboxItem) {
        let content = UNMutableNotificationContent()
        // Issuer and question only: no code, nothing secret, on the lock screen. A request
        // whose token demands an unlock comes without its question (the model hides it).
        content.title = item.issuer.isEmpty ? "Sign-in request" : item.issuer
        content.body = item.hidden ? "Open Tessera to see this sign-in request." : item.question
        content.sound = .default
        content.userInfo = [Self.requestKey: item.id]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: item.id, content: content, trigger: nil))
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        if let id = response.notification.request.content.userInfo[Self.requestKey] as? String {
            DispatchQueue.main.async { self.onOpen?(id) }
        }
        completionHandler()
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter, willPresent notification: UNNotification,
        withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
    ) {
        completionHandler([.banner, .sound])
    }
}

/// `BGAppRefreshTask`: iOS wakes the app now and then; it polls the push servers and posts a
/// notification for each new request.
enum BackgroundRefresh {
    static let identifier = "org.tessera.app.push-refresh"

    /// Asks iOS for the next wake-up (iOS decides when; 15 minutes is the earliest we ask).
    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }
}
