package org.tessera.app.ui

import android.content.ClipData
import android.content.ClipDescription
import android.content.ClipboardManager
import android.content.Context
import android.os.PersistableBundle
import androidx.compose.animation.core.Animatable
import androidx.compose.animation.core.LinearEasing
import androidx.compose.animation.core.tween
import androidx.compose.foundation.clickable
import androidx.compose.foundation.gestures.detectDragGesturesAfterLongPress
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.ArrowDownward
import androidx.compose.material.icons.filled.ArrowUpward
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Star
import androidx.compose.material.icons.filled.StarBorder
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.SnackbarDuration
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.SnackbarResult
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.zIndex
import androidx.compose.ui.graphics.graphicsLayer
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.LocalViewConfiguration
import androidx.compose.ui.semantics.CustomAccessibilityAction
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.customActions
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.onLongClick
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.tessera.app.model.CodeRow
import org.tessera.app.model.CodesModel
import org.tessera.app.model.RowBounds
import org.tessera.app.model.rowUnder
import org.tessera.describeClockOffset
import org.tessera.spokenCode
import kotlin.math.abs

/**
 * The codes screen: search, group chips, one row per account. Draws [CodesModel]'s state and
 * forwards taps; the list refreshes when the model says (its next-change time), and the rings
 * animate from each code's `validUntil` without asking core anything. A long press lifts a row:
 * dragged, it is dropped where the model allows ([CodesModel.dropIndex]); released where it was,
 * it opens the row's menu.
 */
@Composable
fun CodesScreen(model: CodesModel, snackbar: SnackbarHostState) {
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = androidx.compose.ui.platform.LocalContext.current
    val touchSlop = LocalViewConfiguration.current.touchSlop
    var sheet by remember { mutableStateOf<Pair<String, Boolean>?>(null) } // (id, true = QR / false = edit)
    var menuFor by remember { mutableStateOf<String?>(null) }
    var drag by remember { mutableStateOf<Drag?>(null) }
    val list = rememberLazyListState()
    LaunchedEffect(model) { model.run() }
    sheet?.let { (id, qr) ->
        val row = state.rows.firstOrNull { it.id == id }
        if (row == null) sheet = null
        else if (qr) AccountQrDialog(model, row, onClose = { sheet = null })
        else EditDialog(model, row, onClose = { sheet = null })
    }
    LaunchedEffect(state.undoTrash) {
        if (state.undoTrash == null) return@LaunchedEffect
        val result = snackbar.showSnackbar("Moved to the trash", actionLabel = "Undo", duration = SnackbarDuration.Short)
        if (result == SnackbarResult.ActionPerformed) model.undoTrash() else model.dismissUndo()
    }
    Column(Modifier.fillMaxSize()) {
        state.drift?.let { d ->
            Surface(color = MaterialTheme.colorScheme.errorContainer, modifier = Modifier.fillMaxWidth().semantics { liveRegion = LiveRegionMode.Polite }) {
                Text(
                    "This phone's clock is ${describeClockOffset(d.offsetSeconds, d.source)}. Codes here are corrected; set the clock right for other apps.",
                    color = MaterialTheme.colorScheme.onErrorContainer, modifier = Modifier.padding(12.dp),
                )
            }
        }
        OutlinedTextField(
            value = state.query, onValueChange = model::search, singleLine = true,
            label = { Text("Search") }, modifier = Modifier.fillMaxWidth().padding(8.dp),
        )
        if (state.groups.isNotEmpty()) {
            LazyRow(horizontalArrangement = Arrangement.spacedBy(8.dp), modifier = Modifier.padding(horizontal = 8.dp)) {
                item { FilterChip(selected = state.group == null, onClick = { model.filter(null) }, label = { Text("All") }) }
                items(state.groups) { g -> FilterChip(selected = state.group == g, onClick = { model.filter(g) }, label = { Text(g) }) }
            }
        }
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(8.dp)) }
        LazyColumn(Modifier.fillMaxSize(), state = list) {
            itemsIndexed(state.rows, key = { _, row -> row.id }) { index, row ->
                val dragged = drag?.id == row.id
                val rowModifier = (if (dragged) Modifier.zIndex(1f) else Modifier.animateItem())
                    .graphicsLayer {
                        translationY = if (dragged) drag?.offset ?: 0f else 0f
                        shadowElevation = if (dragged) 8.dp.toPx() else 0f
                    }
                    .pointerInput(row.id) {
                        detectDragGesturesAfterLongPress(
                            onDragStart = { drag = Drag(row.id, 0f, state.rows.indexOfFirst { it.id == row.id }) },
                            onDrag = { change, amount ->
                                change.consume()
                                drag = drag?.let { d -> d.copy(offset = d.offset + amount.y).let { it.copy(over = over(it, list, model)) } }
                            },
                            onDragEnd = {
                                val d = drag
                                drag = null
                                if (d == null) return@detectDragGesturesAfterLongPress
                                if (abs(d.offset) < touchSlop) menuFor = d.id else scope.launch { model.drop(d.id, d.over) }
                            },
                            onDragCancel = { drag = null },
                        )
                    }
                CodeRowItem(
                    row = row,
                    modifier = rowModifier,
                    menuOpen = menuFor == row.id,
                    onMenu = { open -> menuFor = if (open) row.id else null },
                    // Dragging needs sight and a steady finger: the menu (and TalkBack's actions) move a row too.
                    canMoveUp = model.dropIndex(row.id, index - 1) != index,
                    canMoveDown = model.dropIndex(row.id, index + 1) != index,
                    onCopy = {
                        row.code?.let { code ->
                            scope.launch { model.clipboardClearAfterMillis(row)?.let { after -> copySensitive(context, code, after) } }
                        }
                    },
                    onNext = { scope.launch { model.nextHotp(row.id) } },
                    onFavorite = { scope.launch { model.setFavorite(row.id, !row.favorite) } },
                    onMove = { by -> scope.launch { model.drop(row.id, index + by) } },
                    onTrash = { scope.launch { model.trash(row.id) } },
                    onShowQr = { sheet = row.id to true },
                    onEdit = { sheet = row.id to false },
                )
            }
        }
    }
}

/** A row being dragged: how far from where it was laid out, and the row index it would land at. */
private data class Drag(val id: String, val offset: Float, val over: Int)

/** The row index [d] would land at: the laid-out row under its centre, as the model allows it. */
private fun over(d: Drag, list: LazyListState, model: CodesModel): Int {
    val laidOut = list.layoutInfo.visibleItemsInfo
    val self = laidOut.firstOrNull { it.key == d.id } ?: return d.over
    val under = rowUnder(laidOut.map { RowBounds(it.index, it.offset, it.size) }, self.offset + self.size / 2f + d.offset) ?: return d.over
    return model.dropIndex(d.id, under)
}

@Composable
private fun CodeRowItem(
    row: CodeRow, modifier: Modifier, menuOpen: Boolean, onMenu: (Boolean) -> Unit, canMoveUp: Boolean, canMoveDown: Boolean,
    onCopy: () -> Unit, onNext: () -> Unit, onFavorite: () -> Unit, onMove: (Int) -> Unit, onTrash: () -> Unit, onShowQr: () -> Unit, onEdit: () -> Unit,
) {
    Box(modifier) {
        ListItem(
            modifier = Modifier
                .clickable(onClick = onCopy, onClickLabel = "Copy code")
                .semantics {
                    // The long press is the drag gesture's; TalkBack gets the menu and the moves as actions.
                    onLongClick(label = "More actions") { onMenu(true); true }
                    customActions = listOfNotNull(
                        if (canMoveUp) CustomAccessibilityAction("Move up") { onMove(-1); true } else null,
                        if (canMoveDown) CustomAccessibilityAction("Move down") { onMove(1); true } else null,
                    )
                },
            headlineContent = { Text(row.name) },
            supportingContent = {
                val code = row.displayCode
                if (code == null) {
                    Text(row.problem ?: "No code", color = MaterialTheme.colorScheme.error)
                } else {
                    // TalkBack reads the code symbol by symbol, not as one large number (core's spokenCode).
                    Text(
                        code, style = MaterialTheme.typography.headlineMedium, fontFamily = FontFamily.Monospace,
                        modifier = Modifier.semantics { contentDescription = "Code " + spokenCode(code) },
                    )
                }
            },
            leadingContent = {
                IconButton(onClick = onFavorite) {
                    Icon(if (row.favorite) Icons.Filled.Star else Icons.Filled.StarBorder, contentDescription = if (row.favorite) "Unpin" else "Pin to top")
                }
            },
            trailingContent = {
                if (row.hotp) {
                    IconButton(onClick = onNext) { Icon(Icons.Filled.Refresh, contentDescription = "Next code") }
                } else if (row.fractionLeft != null && row.period != null) {
                    CountdownRing(row.validUntil, row.fractionLeft!!, row.period!!)
                }
            },
        )
        DropdownMenu(expanded = menuOpen, onDismissRequest = { onMenu(false) }) {
            DropdownMenuItem(text = { Text("Edit") }, onClick = { onMenu(false); onEdit() })
            DropdownMenuItem(text = { Text("Show QR code to move it") }, onClick = { onMenu(false); onShowQr() })
            if (canMoveUp) DropdownMenuItem(text = { Text("Move up") }, leadingIcon = { Icon(Icons.Filled.ArrowUpward, null) }, onClick = { onMenu(false); onMove(-1) })
            if (canMoveDown) DropdownMenuItem(text = { Text("Move down") }, leadingIcon = { Icon(Icons.Filled.ArrowDownward, null) }, onClick = { onMenu(false); onMove(1) })
            DropdownMenuItem(text = { Text("Move to trash") }, onClick = { onMenu(false); onTrash() })
        }
    }
}

/**
 * The time left of one code: starts at core's fraction left when the list was made and runs
 * down over the rest of the period (a drawing; the list itself is refreshed by the model at
 * core's next-change time). Keyed by [validUntil], so each new code restarts it.
 */
@Composable
private fun CountdownRing(validUntil: Long?, fractionLeft: Double, period: Int) {
    val progress = remember(validUntil) { Animatable(fractionLeft.toFloat()) }
    LaunchedEffect(validUntil) {
        progress.animateTo(0f, tween((fractionLeft * period * 1000).toInt(), easing = LinearEasing))
    }
    CircularProgressIndicator(
        progress = { progress.value }, modifier = Modifier.size(28.dp)
            .semantics { contentDescription = "Time left" },
    )
}

/** Copies a code marked sensitive (hidden from the clipboard preview) and clears it [clearAfterMillis] later (core's rule). */
private fun copySensitive(context: Context, code: String, clearAfterMillis: Long) {
    val clipboard = context.getSystemService(ClipboardManager::class.java)
    val clip = ClipData.newPlainText("code", code).apply {
        description.extras = PersistableBundle().apply {
            putBoolean(if (android.os.Build.VERSION.SDK_INT >= 33) ClipDescription.EXTRA_IS_SENSITIVE else "android.content.extra.IS_SENSITIVE", true)
        }
    }
    clipboard.setPrimaryClip(clip)
    ClipboardClearer.schedule(context, clearAfterMillis)
}

/** The account's otpauth QR code, for moving it to another app (core writes the URI and lays out the modules). */
@Composable
private fun AccountQrDialog(model: CodesModel, row: CodeRow, onClose: () -> Unit) {
    val matrix by androidx.compose.runtime.produceState<org.tessera.QrMatrix?>(null, row.id) { value = model.qrCode(row.id) }
    androidx.compose.material3.AlertDialog(
        onDismissRequest = onClose,
        confirmButton = { androidx.compose.material3.TextButton(onClick = onClose) { Text("Done") } },
        title = { Text(row.name) },
        text = {
            matrix?.let { qr ->
                QrCode(qr, Modifier.size(260.dp).semantics { contentDescription = "QR code of ${row.name} for another authenticator app" })
            } ?: CircularProgressIndicator()
        },
    )
}

/**
 * Draws core's QR matrix black on white (its quiet zone included), each module a whole number
 * of pixels so that no seam or blur appears between modules.
 */
@Composable
private fun QrCode(qr: org.tessera.QrMatrix, modifier: Modifier) {
    androidx.compose.foundation.Canvas(modifier) {
        val n = qr.size.toInt()
        val cell = kotlin.math.floor(size.minDimension / n).coerceAtLeast(1f)
        val origin = androidx.compose.ui.geometry.Offset((size.width - cell * n) / 2, (size.height - cell * n) / 2)
        drawRect(androidx.compose.ui.graphics.Color.White)
        for (y in 0 until n) for (x in 0 until n) {
            if (qr.modules[y * n + x] != 0.toByte()) {
                drawRect(
                    androidx.compose.ui.graphics.Color.Black,
                    topLeft = origin + androidx.compose.ui.geometry.Offset(x * cell, y * cell),
                    size = androidx.compose.ui.geometry.Size(cell, cell),
                )
            }
        }
    }
}

/** Renames an account and sets its groups (comma-separated). */
@Composable
private fun EditDialog(model: CodesModel, row: CodeRow, onClose: () -> Unit) {
    val scope = rememberCoroutineScope()
    var issuer by remember { mutableStateOf(row.issuer) }
    var label by remember { mutableStateOf(row.label) }
    var groups by remember { mutableStateOf(row.groups.joinToString(", ")) }
    androidx.compose.material3.AlertDialog(
        onDismissRequest = onClose,
        confirmButton = {
            androidx.compose.material3.TextButton(onClick = {
                scope.launch { model.edit(row.id, issuer, label, groups); onClose() }
            }) { Text("Save") }
        },
        dismissButton = { androidx.compose.material3.TextButton(onClick = onClose) { Text("Cancel") } },
        title = { Text("Edit account") },
        text = {
            Column {
                OutlinedTextField(issuer, { issuer = it }, label = { Text("Service") }, singleLine = true)
                OutlinedTextField(label, { label = it }, label = { Text("Account name") }, singleLine = true)
                OutlinedTextField(groups, { groups = it }, label = { Text("Groups, separated by commas") }, singleLine = true)
            }
        },
    )
}
