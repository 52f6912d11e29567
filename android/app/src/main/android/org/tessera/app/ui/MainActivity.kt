package org.tessera.app.ui

import android.content.Intent
import android.os.Bundle
import android.os.SystemClock
import android.view.WindowManager
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.Pin
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.Icon
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.launch
import org.tessera.app.model.AppLock
import org.tessera.app.model.Destination
import org.tessera.app.model.UnlockState
import org.tessera.app.platform.AndroidKeystore

/**
 * The one activity: blocks screenshots unless the user allowed them, locks after the chosen idle
 * time, takes links from other apps, and shows the unlock screen or the tabs.
 */
class MainActivity : FragmentActivity() {
    private val graph get() = (application as TesseraApplication).graph
    private val appLock by lazy { AppLock { graph.preferences.load().lockTimeout } }
    // Made in onCreate: the application (and so the graph) is not there before.
    private var unlock by mutableStateOf<org.tessera.app.model.UnlockModel?>(null)
    // A link from another app or a notification, handled once the vault is unlocked.
    private var pendingLink by mutableStateOf<String?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        applySecureScreen()
        graph.authorizer = AndroidKeystore.biometricAuthorizer(this, "Unlock Tessera", "Use password")
        unlock = graph.unlockModel()
        take(intent)
        setContent { TesseraTheme { unlock?.let { Root(it) } } }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        take(intent)
    }

    override fun onStop() {
        super.onStop()
        // Leaving the app: what changed goes into a backup now, not after core's quiet time.
        graph.session?.let { session -> lifecycleScope.launch { session.backup.flush() } }
        // "Immediately": core says lock as the app is left, not when it comes back.
        if (appLock.onBackground(SystemClock.elapsedRealtime())) lifecycleScope.launch { lockNow() }
    }

    override fun onStart() {
        super.onStart()
        applySecureScreen()
        if (appLock.onForeground(SystemClock.elapsedRealtime())) lifecycleScope.launch { lockNow() }
    }

    /** Locks after the backup flush that leaving started (the flush needs the vault open). */
    private suspend fun lockNow() {
        graph.session?.backup?.flush()
        graph.lock()
        unlock = graph.unlockModel()
    }

    /** Applies changed settings: the screen's security, background fetching's poll slot. */
    private fun preferencesChanged() {
        applySecureScreen()
        val session = graph.session ?: return
        lifecycleScope.launch { graph.backgroundPoll.setUp(session.vault, graph.preferences.load().backgroundPush) }
    }

    /** FLAG_SECURE hides the window from screenshots, screen recording and the recent-apps preview. */
    fun applySecureScreen() {
        if (graph.preferences.load().secureScreen) window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        else window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
    }

    private fun take(intent: Intent?) {
        intent?.dataString?.let { pendingLink = it }
    }

    @androidx.compose.runtime.Composable
    private fun Root(unlock: org.tessera.app.model.UnlockModel) {
        val state by unlock.state.collectAsState()
        LaunchedEffect(unlock) { unlock.start() }
        val unlocked = state as? UnlockState.Unlocked
        if (unlocked == null) {
            UnlockScreen(unlock)
            return
        }
        val session = remember(unlocked.vault) { graph.open(unlocked.vault) }
        val snackbar = remember { SnackbarHostState() }
        var tab by remember { mutableStateOf(Tab.CODES) }
        LaunchedEffect(session) { session.backup.run() }
        LaunchedEffect(session) { graph.backgroundPoll.setUp(session.vault, graph.preferences.load().backgroundPush) }
        // Requests are fetched when the app opens, whichever tab shows; the tab counts them.
        LaunchedEffect(session) { session.inbox.refresh() }
        val inbox by session.inbox.state.collectAsState()
        LaunchedEffect(unlocked.notice) { unlocked.notice?.let { snackbar.showSnackbar(it) } }
        LaunchedEffect(pendingLink) {
            val link = pendingLink ?: return@LaunchedEffect
            pendingLink = null
            // The session routes it: a notification's request to the inbox, anything else to Add.
            tab = when (session.openLink(link)) {
                Destination.INBOX -> Tab.INBOX
                Destination.ADD -> Tab.ADD
            }
        }
        // The inbox shows every waiting request: their notifications have done their job.
        LaunchedEffect(tab) { if (tab == Tab.INBOX) androidx.core.app.NotificationManagerCompat.from(this@MainActivity).cancelAll() }
        Scaffold(
            snackbarHost = { SnackbarHost(snackbar) },
            bottomBar = {
                NavigationBar {
                    Tab.entries.forEach { t ->
                        val waiting = if (t == Tab.INBOX) inbox.requests.size else 0
                        NavigationBarItem(
                            selected = tab == t, onClick = { tab = t }, label = { Text(t.label) },
                            icon = {
                                if (waiting > 0) {
                                    BadgedBox(badge = { Badge { Text("$waiting") } }, modifier = Modifier.semantics { contentDescription = "$waiting waiting" }) { Icon(t.icon, contentDescription = null) }
                                } else {
                                    Icon(t.icon, contentDescription = null)
                                }
                            },
                        )
                    }
                }
            },
        ) { padding ->
            androidx.compose.foundation.layout.Box(Modifier.padding(padding)) {
                when (tab) {
                    Tab.CODES -> CodesScreen(session.codes, snackbar)
                    Tab.INBOX -> PushScreen(session.inbox, confirmUser = ::confirmUser)
                    Tab.ADD -> AddScreen(session.add, onDone = { session.codes.reload(); tab = Tab.CODES })
                    Tab.SETTINGS -> SettingsScreen(session, graph.preferences, onPreferencesChanged = ::preferencesChanged, onLock = { graph.lock(); unlock = graph.unlockModel() })
                }
            }
        }
    }

    /** A biometric or device-credential check without a key (for push tokens that demand an unlock). */
    private fun confirmUser(onConfirmed: () -> Unit) {
        val prompt = androidx.biometric.BiometricPrompt(this, androidx.core.content.ContextCompat.getMainExecutor(this),
            object : androidx.biometric.BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(result: androidx.biometric.BiometricPrompt.AuthenticationResult) = onConfirmed()
            })
        prompt.authenticate(
            androidx.biometric.BiometricPrompt.PromptInfo.Builder().setTitle("Confirm it is you")
                .setAllowedAuthenticators(androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG or androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL)
                .build(),
        )
    }

    private enum class Tab(val label: String, val icon: androidx.compose.ui.graphics.vector.ImageVector) {
        CODES("Codes", Icons.Filled.Pin), INBOX("Sign-ins", Icons.Filled.Notifications), ADD("Add", Icons.Filled.Add), SETTINGS("Settings", Icons.Filled.Settings)
    }
}
