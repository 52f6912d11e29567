package org.tessera.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.tessera.DeviceKeyFailure
import org.tessera.app.model.UnlockModel
import org.tessera.app.model.UnlockState

/** First run, the device-key prompt and the password fallback, as [UnlockModel] decides. */
@Composable
fun UnlockScreen(model: UnlockModel) {
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text("Tessera", style = MaterialTheme.typography.headlineLarge)
        when (val s = state) {
            UnlockState.Checking, UnlockState.Unlocking -> CircularProgressIndicator()
            UnlockState.FirstRun -> FirstRun { password -> scope.launch { model.create(password) } }
            is UnlockState.PasswordNeeded -> {
                val way = if (s.hasPassword) "the vault's password" else "the vault's recovery key"
                Text(
                    when (s.why) {
                        DeviceKeyFailure.Lost -> "This phone's key for the vault is gone (for example, the fingerprints changed). Enter $way; a new key is made afterwards."
                        DeviceKeyFailure.Cancelled -> "Unlock with $way instead."
                        is DeviceKeyFailure.Unavailable -> "The phone's key store is not available right now. Enter $way."
                        null -> "Enter $way."
                    },
                )
                if (s.hasPassword) PasswordField(error = if (s.wrongPassword) "Wrong password" else null, action = "Unlock") { pw -> scope.launch { model.submitPassword(pw) } }
                if (s.hasRecoveryKey) RecoveryKeyField(s.recoveryKeyError, forgotPassword = s.hasPassword) { key -> scope.launch { model.submitRecoveryKey(key) } }
                if (s.why == DeviceKeyFailure.Cancelled) TextButton(onClick = { scope.launch { model.retryDeviceKey() } }) { Text("Try fingerprint again") }
            }
            UnlockState.Cancelled -> Button(onClick = { scope.launch { model.retryDeviceKey() } }) { Text("Unlock") }
            is UnlockState.KeyLost -> Text("This vault can no longer be opened on this phone, and it has no password. Start over and restore from a backup (Settings → Restore from a backup folder, or Import).")
            is UnlockState.NewerVersion -> Text("This vault was written by a newer version of Tessera. Update the app to open it.")
            is UnlockState.Failed -> {
                Text(s.reason, color = MaterialTheme.colorScheme.error)
                Button(onClick = { scope.launch { model.start() } }) { Text("Try again") }
            }
            is UnlockState.Unlocked -> Unit
        }
    }
}

@Composable
private fun FirstRun(onCreate: (String?) -> Unit) {
    var withPassword by remember { mutableStateOf(true) }
    Text("Your accounts are kept encrypted on this phone, opened by a key in its secure hardware. A password is a second way in, if that key is ever lost.")
    if (withPassword) {
        PasswordField(error = null, action = "Create with this password", onSubmit = onCreate)
        TextButton(onClick = { withPassword = false }) { Text("Continue without a password") }
    } else {
        Button(onClick = { onCreate(null) }, modifier = Modifier.fillMaxWidth()) { Text("Create the vault") }
    }
    Text("Next, you can restore a backup folder or import accounts from another app (Settings).", style = MaterialTheme.typography.bodySmall)
}

/**
 * The recovery key as the user types it from paper (core ignores case, spaces and dashes, and
 * its check symbols catch a typing error before anything is tried).
 */
@Composable
private fun RecoveryKeyField(error: String?, forgotPassword: Boolean, onSubmit: (String) -> Unit) {
    var text by remember { mutableStateOf("") }
    if (forgotPassword) Text("Forgot the password? Use the recovery key.", style = MaterialTheme.typography.bodySmall)
    OutlinedTextField(
        value = text, onValueChange = { text = it }, label = { Text("Recovery key") }, singleLine = true,
        isError = error != null, supportingText = error?.let { { Text(it) } },
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, autoCorrectEnabled = false, keyboardType = KeyboardType.Password),
        modifier = Modifier.fillMaxWidth(),
    )
    Button(onClick = { onSubmit(text); text = "" }, enabled = text.isNotBlank(), modifier = Modifier.fillMaxWidth()) { Text("Unlock with the recovery key") }
}

/** A password input; the text lives only in this field's state and is handed over on submit. */
@Composable
fun PasswordField(error: String?, action: String, onSubmit: (String) -> Unit) {
    var text by remember { mutableStateOf("") }
    OutlinedTextField(
        value = text, onValueChange = { text = it }, label = { Text("Password") }, singleLine = true,
        isError = error != null, supportingText = error?.let { { Text(it) } },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
        modifier = Modifier.fillMaxWidth(),
    )
    Button(onClick = { onSubmit(text); text = "" }, enabled = text.isNotEmpty(), modifier = Modifier.fillMaxWidth()) { Text(action) }
}
