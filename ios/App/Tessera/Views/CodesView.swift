import SwiftUI
import Tessera
import TesseraAppModel

/// The codes: favorites first, search, group chips, tap to copy, swipe to edit or trash (with
/// undo), drag to reorder, the QR code for moving an account, and the add sheet.
struct CodesView: View {
    let model: CodesModel
    let add: AddAccountModel
    let services: AppServices
    @State private var search = ""
    @State private var adding = false
    @State private var editing: CodeItem?
    @State private var qr: QrImage?
    @State private var copied: String?

    var body: some View {
        NavigationStack {
            List {
                if let offset = model.clockWarningText {
                    Label("This iPhone's clock is \(offset). Codes here are corrected; set the clock right for other apps.", systemImage: "clock.badge.exclamationmark")
                        .foregroundStyle(.orange)
                }
                if !model.groups.isEmpty {
                    GroupChips(groups: model.groups, selected: model.query.group) { group in
                        Task { await model.showGroup(group) }
                    }
                }
                ForEach(model.items) { item in
                    CodeRow(item: item, copied: copied == item.id) {
                        Task { if await model.copy(item.id) { copied = item.id } }
                    } next: {
                        Task { await model.nextCode(item.id) }
                    }
                    .swipeActions(edge: .trailing) {
                        Button(role: .destructive) { Task { await model.trash(item.id) } } label: {
                            Label("Trash", systemImage: "trash")
                        }
                        Button { editing = item } label: { Label("Edit", systemImage: "pencil") }
                    }
                    .swipeActions(edge: .leading) {
                        Button { Task { await model.setFavorite(item.id, !item.favorite) } } label: {
                            Label(item.favorite ? "Unpin" : "Pin", systemImage: item.favorite ? "star.slash" : "star")
                        }
                        .tint(.yellow)
                    }
                    .contextMenu {
                        Button("Show QR code to move it") {
                            Task { if let matrix = await model.transferQr(item.id) { qr = QrImage(matrix: matrix) } }
                        }
                    }
                }
                .onMove { from, to in Task { await model.move(fromOffsets: from, toOffset: to) } }
            }
            .searchable(text: $search)
            .onChange(of: search) { _, text in Task { await model.search(text) } }
            .refreshable { await model.refresh() }
            .navigationTitle("Codes")
            .toolbar {
                ToolbarItem(placement: .topBarLeading) { EditButton() }
                ToolbarItem(placement: .primaryAction) {
                    Button { adding = true } label: { Label("Add account", systemImage: "plus") }
                }
            }
            .overlay(alignment: .bottom) { banner }
            .sheet(isPresented: $adding) { AddAccountView(model: add) { adding = false; Task { await model.refresh() } } }
            .sheet(item: $editing) { item in EditAccountView(item: item, model: model) }
            .sheet(item: $qr) { image in QrSheet(image: image) }
        }
        .task { await model.start() }
        .onDisappear { model.stop() }
        .onChange(of: services.pendingLink) { _, link in
            guard let link else { return }
            services.pendingLink = nil
            Task {
                await add.open(link: link)
                await model.refresh()
            }
        }
    }

    @ViewBuilder private var banner: some View {
        if let item = model.undoable {
            HStack {
                Text("\(item.displayName) moved to the trash")
                Spacer()
                Button("Undo") { Task { await model.undoTrash() } }
            }
            .padding()
            .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12))
            .padding()
            .task {
                try? await Task.sleep(nanoseconds: 6_000_000_000)
                model.dismissUndo()
            }
        } else if let message = model.message {
            Text(message).padding().background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12)).padding()
        }
    }
}

/// One account: issuer, label, the code (read digit by digit by VoiceOver) and its ring.
struct CodeRow: View {
    let item: CodeItem
    let copied: Bool
    let copy: () -> Void
    let next: () -> Void

    var body: some View {
        HStack {
            VStack(alignment: .leading, spacing: 4) {
                Text(item.displayName).font(.headline)
                if let code = item.displayCode {
                    Text(code).font(.system(.title, design: .monospaced).bold())
                        .accessibilityLabel(item.spokenCode ?? "")
                } else if let problem = item.problem {
                    Text(problem).font(.footnote).foregroundStyle(.red)
                }
            }
            Spacer()
            if item.period == nil {
                Button(action: next) { Image(systemName: "arrow.clockwise") }
                    .buttonStyle(.borderless)
                    .accessibilityLabel("Next code")
            } else {
                CountdownRing(item: item)
            }
        }
        .contentShape(Rectangle())
        .onTapGesture(perform: copy)
        .accessibilityElement(children: .combine)
        .accessibilityAddTraits(.isButton)
        .accessibilityHint(copied ? "Copied" : "Double-tap to copy")
    }
}

/// The share of the period left, redrawn by the system's timeline (drawing only: the list
/// itself refreshes at the model's next-change time).
struct CountdownRing: View {
    let item: CodeItem
    @ScaledMetric private var size: CGFloat = 28

    var body: some View {
        TimelineView(.animation(minimumInterval: 0.5)) { context in
            let left = item.fractionLeft(at: context.date.timeIntervalSince1970) ?? 0
            ZStack {
                Circle().stroke(.quaternary, lineWidth: 4)
                Circle().trim(from: 0, to: left).stroke(left < 0.2 ? Color.red : Color.accentColor, lineWidth: 4)
                    .rotationEffect(.degrees(-90))
            }
            .frame(width: size, height: size)
        }
        .accessibilityHidden(true)
    }
}

/// Filters the list by group.
struct GroupChips: View {
    let groups: [String]
    let selected: String?
    let choose: (String?) -> Void

    var body: some View {
        ScrollView(.horizontal, showsIndicators: false) {
            HStack {
                chip("All", selected == nil) { choose(nil) }
                ForEach(groups, id: \.self) { group in chip(group, selected == group) { choose(group) } }
            }
        }
    }

    private func chip(_ title: String, _ on: Bool, _ action: @escaping () -> Void) -> some View {
        Button(title, action: action).buttonStyle(.bordered).tint(on ? Color.accentColor : Color.secondary)
    }
}

/// Renames an account and sets its groups.
struct EditAccountView: View {
    let item: CodeItem
    let model: CodesModel
    @Environment(\.dismiss) private var dismiss
    @State private var issuer = ""
    @State private var label = ""
    @State private var groups = ""

    var body: some View {
        NavigationStack {
            Form {
                TextField("Service", text: $issuer)
                TextField("Account", text: $label)
                TextField("Groups, separated by commas", text: $groups)
            }
            .navigationTitle("Edit")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") {
                        let list = groups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        Task {
                            await model.edit(item.id, issuer: issuer, label: label, groups: list.filter { !$0.isEmpty })
                            dismiss()
                        }
                    }
                }
            }
            .onAppear {
                issuer = item.issuer
                label = item.label
                groups = item.groups.joined(separator: ", ")
            }
        }
    }
}

/// A QR code to show full screen: core's module matrix.
struct QrImage: Identifiable {
    let id = UUID()
    let matrix: QrMatrix
}

/// The account's QR code for another app to scan; it holds the secret.
struct QrSheet: View {
    let image: QrImage

    var body: some View {
        VStack(spacing: 16) {
            QrCanvas(matrix: image.matrix).aspectRatio(1, contentMode: .fit).padding()
                .accessibilityLabel("QR code of the account")
            Text("Anyone who sees this code can copy the account. Scan it only with your own new app.")
                .font(.footnote).multilineTextAlignment(.center).padding()
        }
    }
}

/// Draws core's QR matrix black on white (its quiet zone included), each module a whole
/// number of points so that no seam appears between modules.
struct QrCanvas: View {
    let matrix: QrMatrix

    var body: some View {
        Canvas { context, size in
            let n = Int(matrix.size)
            let cell = max(1, (min(size.width, size.height) / CGFloat(n)).rounded(.down))
            let x0 = (size.width - cell * CGFloat(n)) / 2, y0 = (size.height - cell * CGFloat(n)) / 2
            var dark = Path()
            for (i, module) in matrix.modules.enumerated() where module != 0 {
                dark.addRect(CGRect(x: x0 + CGFloat(i % n) * cell, y: y0 + CGFloat(i / n) * cell, width: cell, height: cell))
            }
            context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
            context.fill(dark, with: .color(.black))
        }
    }
}
