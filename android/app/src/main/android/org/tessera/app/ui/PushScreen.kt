package org.tessera.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.tessera.DenyReason
import org.tessera.PushRequest
import org.tessera.app.model.AnswerResult
import org.tessera.app.model.OpenedRequest
import org.tessera.app.model.PushInboxModel

/**
 * The push inbox: pending sign-in requests with large buttons. Fetches when shown and on
 * pull-to-refresh; number matching shows one button per number core offers. A request opened
 * from its notification comes first, or the screen says it is no longer waiting.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun PushScreen(model: PushInboxModel, confirmUser: (onConfirmed: () -> Unit) -> Unit) {
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(model) { model.refresh() }
    PullToRefreshBox(isRefreshing = state.refreshing, onRefresh = { scope.launch { model.refresh() } }, modifier = Modifier.fillMaxSize()) {
        LazyColumn(Modifier.fillMaxSize(), contentPadding = androidx.compose.foundation.layout.PaddingValues(12.dp)) {
            state.lastAnswer?.let { item { Text(answerText(it), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(8.dp)) } }
            openedText(state.opened)?.let { said ->
                item {
                    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                        Text(said, modifier = Modifier.padding(16.dp))
                        TextButton(onClick = model::closeOpened) { Text("OK") }
                    }
                }
            }
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(8.dp)) } }
            state.unreachable.forEach { item { Text("Not reachable: $it", modifier = Modifier.padding(8.dp)) } }
            if (state.requests.isEmpty()) item { Text("No sign-in requests. Pull down to check again.", modifier = Modifier.padding(16.dp)) }
            if (state.tokens.isNotEmpty()) item { Text("Push accounts", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp)) }
            items(state.tokens, key = { "token-" + it.serial }) { token ->
                Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                    Text(token.displayName, modifier = Modifier.weight(1f).padding(8.dp))
                    TextButton(
                        onClick = { scope.launch { model.removeToken(token.serial) } },
                        modifier = Modifier.semantics { contentDescription = "Remove ${token.displayName}" },
                    ) { Text("Remove") }
                }
            }
            // A request opened from its notification comes first.
            val openedId = (state.opened as? OpenedRequest.Waiting)?.id
            val ordered = state.requests.sortedByDescending { it.id == openedId }
            items(ordered, key = { it.id }) { request ->
                if (state.hidden(request)) {
                    // The server asked for an unlock before this request is shown (app_force_unlock).
                    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                        Button(onClick = { confirmUser { model.confirmedUnlock() } }, modifier = Modifier.fillMaxWidth().heightIn(min = 64.dp).padding(16.dp)) {
                            Text("Unlock to see this sign-in request")
                        }
                    }
                    return@items
                }
                RequestCard(
                    request,
                    onApprove = { scope.launch { model.approve(request.id) } },
                    onChoose = { choice -> scope.launch { model.choose(request.id, choice) } },
                    onDeny = { reason -> scope.launch { model.deny(request.id, reason) } },
                )
            }
        }
    }
}

@Composable
private fun RequestCard(request: PushRequest, onApprove: () -> Unit, onChoose: (String) -> Unit, onDeny: (DenyReason) -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(request.displayName, style = MaterialTheme.typography.labelLarge)
            Text(request.title, style = MaterialTheme.typography.titleLarge)
            Text(request.question, style = MaterialTheme.typography.bodyLarge)
            ExpiresIn(request.id, request.secondsLeft.toLong())
            if (request.choices.isEmpty()) {
                Button(onClick = onApprove, modifier = Modifier.fillMaxWidth().heightIn(min = 64.dp)) { Text("Approve", style = MaterialTheme.typography.titleLarge) }
            } else {
                Text("Tap the number shown on the sign-in page")
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp), modifier = Modifier.fillMaxWidth()) {
                    request.choices.forEach { choice ->
                        Button(onClick = { onChoose(choice) }, modifier = Modifier.weight(1f).heightIn(min = 72.dp)) {
                            Text(choice, style = MaterialTheme.typography.headlineMedium, textAlign = TextAlign.Center)
                        }
                    }
                }
            }
            OutlinedButton(onClick = { onDeny(DenyReason.NOT_ME) }, modifier = Modifier.fillMaxWidth().heightIn(min = 56.dp)) { Text("This wasn't me") }
            TextButton(onClick = { onDeny(DenyReason.CANCEL) }, modifier = Modifier.fillMaxWidth()) { Text("Cancel sign-in") }
        }
    }
}

/**
 * Time left to answer: core's `secondsLeft` (judged on the vault's server-corrected clock, as
 * the answer will be), counted down while shown. Drawing only: core decides expiry.
 */
@Composable
private fun ExpiresIn(id: String, secondsLeft: Long) {
    val left by androidx.compose.runtime.produceState(initialValue = secondsLeft, id, secondsLeft) {
        while (value > 0) {
            kotlinx.coroutines.delay(1000)
            value -= 1
        }
    }
    Text(if (left > 0) "${left / 60}:${"%02d".format(left % 60)} left to answer" else "Expired")
}

/** What the screen says about a request a notification opened that is no longer waiting. */
private fun openedText(opened: OpenedRequest?): String? = when (opened) {
    null, is OpenedRequest.Waiting -> null
    OpenedRequest.Expired -> "That sign-in request expired before it was answered. Start the sign-in again if it was you."
    OpenedRequest.Closed -> "That sign-in request was already answered, or it ran out of time."
    OpenedRequest.Unknown -> "That sign-in request is not on this phone (its account may have been removed)."
}

private fun answerText(result: AnswerResult) = when (result) {
    is AnswerResult.Approved -> result.displayCode?.let { "Approved. Type $it on the sign-in page." } ?: "Approved."
    AnswerResult.Denied -> "Denied."
    AnswerResult.Refused -> "The server refused the answer (wrong number, or the request expired)."
    is AnswerResult.NotDelivered -> "Not delivered: ${result.reason}. Try again."
}
