import SwiftUI
import Tessera
import TesseraAppModel

/// Sign-in requests: issuer, label, question and time left; approve, "this wasn't me" or
/// cancel; number matching as large buttons. Fetched on open and on pull-to-refresh.
struct InboxView: View {
    let model: InboxModel
    /// The request a tapped notification named, until the inbox has looked it up.
    let openRequest: String?
    /// The lookup is done: the app forgets the notification's request id.
    let opened: () -> Void

    var body: some View {
        NavigationStack {
            List {
                if let opened = model.opened, let text = Self.outcome(opened) {
                    Label(text, systemImage: "info.circle")
                        .swipeActions { Button("Dismiss") { model.dismissOpened() } }
                }
                if model.items.isEmpty {
                    Text("No sign-in requests.").foregroundStyle(.secondary)
                }
                ForEach(model.items) { item in
                    RequestCard(item: item, model: model, highlighted: model.opened == .pending(id: item.id))
                }
                if let answer = model.lastAnswer { AnswerText(answer: answer) }
                if let message = model.message { Text(message).foregroundStyle(.red) }
                if !model.tokens.isEmpty {
                    Section("Sign-in approvals set up") {
                        ForEach(model.tokens, id: \.serial) { token in
                            VStack(alignment: .leading) {
                                Text(token.issuer).font(.headline)
                                Text(token.label).foregroundStyle(.secondary)
                            }
                            .swipeActions {
                                Button("Remove", role: .destructive) { Task { await model.removeToken(token.serial) } }
                            }
                        }
                    }
                }
            }
            .refreshable { await model.refresh() }
            .navigationTitle("Sign-ins")
        }
        .task(id: openRequest) {
            // Opened from a notification: core says whether the request is still pending.
            if let id = openRequest {
                await model.open(requestId: id)
                opened()
            } else {
                await model.refresh()
            }
        }
    }

    /// What to say about a notification's request that is no longer pending.
    static func outcome(_ opened: OpenedRequest) -> String? {
        switch opened {
        case .pending: return nil
        case .expired: return "That sign-in request expired before it was answered."
        case .closed: return "That sign-in request was already answered."
        case .unknown: return "That sign-in request is no longer on this iPhone."
        }
    }
}

/// One request.
struct RequestCard: View {
    let item: InboxItem
    let model: InboxModel
    let highlighted: Bool

    var body: some View {
        if item.hidden {
            VStack(alignment: .leading, spacing: 12) {
                Text(item.issuer).font(.headline)
                Text(item.label).foregroundStyle(.secondary)
                Button { Task { await model.reveal(item.id) } } label: {
                    Label(item.forceUnlock == .biometric ? "Unlock with Face ID to see it" : "Unlock to see it", systemImage: "lock")
                        .frame(maxWidth: .infinity)
                }
                .buttonStyle(.borderedProminent).controlSize(.large)
            }
            .padding(.vertical, 8)
        } else {
            card
        }
    }

    private var card: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(item.issuer).font(.headline)
            Text(item.label).foregroundStyle(.secondary)
            Text(item.question).font(.title3)
            TimelineView(.periodic(from: .now, by: 1)) { context in
                Text("\(item.secondsLeft(at: UInt64(context.date.timeIntervalSince1970))) s left")
                    .font(.footnote).foregroundStyle(.secondary)
            }
            if item.choices.isEmpty {
                Button { Task { await model.approve(item.id) } } label: {
                    Text("Approve").frame(maxWidth: .infinity)
                }
                .buttonStyle(.borderedProminent).controlSize(.large)
            } else {
                Text("Tap the number shown on the sign-in page").font(.subheadline)
                HStack {
                    ForEach(item.choices, id: \.self) { number in
                        Button { Task { await model.choose(item.id, number) } } label: {
                            Text(number).font(.largeTitle.monospacedDigit()).frame(maxWidth: .infinity, minHeight: 64)
                        }
                        .buttonStyle(.bordered)
                        .accessibilityLabel(number.map(String.init).joined(separator: " "))
                    }
                }
            }
            HStack {
                Button("This wasn't me", role: .destructive) { Task { await model.deny(item.id, .notMe) } }
                Spacer()
                Button("Cancel") { Task { await model.deny(item.id, .cancel) } }
            }
            .buttonStyle(.bordered)
        }
        .padding(.vertical, 8)
        .listRowBackground(highlighted ? Color.accentColor.opacity(0.1) : nil)
    }
}

/// The server's answer, in words.
struct AnswerText: View {
    let answer: AnswerOutcome

    var body: some View {
        switch answer {
        case .accepted(let code?): Text("Done. Type \(code) on the sign-in page.")
        case .accepted(nil): Text("Done.")
        case .refused: Text("The server refused the answer (a wrong number can be tried again).")
        case .notDelivered(let why): Text("Not delivered, try again: \(why)").foregroundStyle(.red)
        }
    }
}
