import SwiftUI
import TesseraAppModel

/// First run, unlock, or the app's tabs; covered whenever the app is not active so the app
/// switcher's snapshot shows no code.
struct RootView: View {
    let services: AppServices
    @Environment(\.scenePhase) private var scenePhase
    @State private var tab = Tab.codes

    enum Tab { case codes, inbox, settings }

    var body: some View {
        ZStack {
            content
            if scenePhase != .active {
                PrivacyCover()
            }
        }
        .task { await services.unlock.start() }
        .onChange(of: services.unlock.stage) { _, _ in services.stageChanged() }
        .onChange(of: services.openRequest) { _, id in if id != nil { tab = .inbox } }
    }

    @ViewBuilder private var content: some View {
        if let session = services.session {
            TabView(selection: $tab) {
                CodesView(model: session.codes, add: session.add, services: services)
                    .tabItem { Label("Codes", systemImage: "number") }
                    .tag(Tab.codes)
                InboxView(model: session.inbox, openRequest: services.openRequest) { services.openRequest = nil }
                    .tabItem { Label("Sign-ins", systemImage: "checkmark.shield") }
                    .tag(Tab.inbox)
                SettingsView(model: session.settings, transfer: session.transfer, backup: session.backup, lock: services.unlock.lock)
                    .tabItem { Label("Settings", systemImage: "gear") }
                    .tag(Tab.settings)
            }
            .sheet(isPresented: Binding(get: { services.unlock.offerImport }, set: { if !$0 { services.unlock.importOffered() } })) {
                NavigationStack {
                    TransferView(model: session.transfer)
                        .toolbar {
                            ToolbarItem(placement: .cancellationAction) {
                                Button("Not now") { services.unlock.importOffered() }
                            }
                        }
                }
            }
        } else {
            UnlockView(
                model: services.unlock,
                requireBiometry: Binding(get: { services.requireBiometry }, set: { services.requireBiometry = $0 }))
        }
    }
}

/// What the app switcher shows instead of the codes.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Rectangle().fill(.background)
            Image(systemName: "lock.fill").font(.largeTitle).foregroundStyle(.secondary)
                .accessibilityLabel("Tessera is hidden")
        }
        .ignoresSafeArea()
    }
}
