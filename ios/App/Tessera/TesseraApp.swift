import BackgroundTasks
import SwiftUI
import TesseraAppModel

/// Tessera for iOS: codes, push approvals and moving accounts, on Tessera's core.
@main
struct TesseraApp: App {
    @State private var services = AppServices()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView(services: services)
                .onOpenURL { url in services.pendingLink = url.absoluteString }
        }
        .onChange(of: scenePhase) { _, phase in
            switch phase {
            case .background:
                let now = Date()
                Task { await services.enteredBackground(at: now) }
                BackgroundRefresh.schedule()
            case .active:
                services.unlock.enteredForeground(at: Date())
            default:
                break
            }
        }
        .backgroundTask(.appRefresh(BackgroundRefresh.identifier)) {
            await services.backgroundRefresh()
            BackgroundRefresh.schedule()
        }
    }
}
