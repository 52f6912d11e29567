package org.tessera.app.ui

import android.app.Application
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.os.Build
import android.os.Handler
import android.os.Looper
import org.tessera.Vault
import org.tessera.app.model.BackgroundPoll
import org.tessera.app.model.PreferenceStore
import org.tessera.app.model.Session
import org.tessera.app.model.UnlockModel
import org.tessera.app.platform.AndroidKeystore
import org.tessera.app.platform.CipherAuthorizer
import org.tessera.app.platform.DocumentFolder
import org.tessera.app.platform.HttpPushTransport
import org.tessera.app.platform.SafFolder
import java.io.File

/** Holds the app's one [AppGraph] and starts the background push fetch. */
class TesseraApplication : Application() {
    /** Everything the screens share. */
    lateinit var graph: AppGraph
        private set

    override fun onCreate() {
        super.onCreate()
        graph = AppGraph(this)
        if (graph.preferences.load().backgroundPush) PushPollWorker.schedule(this)
    }
}

/**
 * Where the Android pieces meet the plain-Kotlin models: file locations, the Keystore adapters,
 * the HTTP transport. The vault lives in `noBackupFilesDir` (never in a cloud backup: its device
 * key cannot leave this phone anyway).
 */
class AppGraph(private val context: Context) {
    val vaultPath: String = File(context.noBackupFilesDir, "vault.db").path
    val preferences = PreferenceStore(File(context.filesDir, "preferences.properties"))

    /** Set by the activity while it is shown: the biometric prompt needs one. */
    @Volatile var authorizer: CipherAuthorizer = CipherAuthorizer { throw org.tessera.TesseraException.Cancelled() }

    private fun vaultKeys() = AndroidKeystore.vaultKeys(context, preferences.load().biometricUnlock) { cipher -> authorizer.authorize(cipher) }

    /** The backup folder core remembers (a SAF tree URI). */
    fun folder(destination: String): DocumentFolder = SafFolder.open(context, destination)

    /** A fresh unlock flow (app start, or after the app lock). */
    fun unlockModel() = UnlockModel(vaultPath, vaultKeys())

    @Volatile var session: Session? = null
        private set

    /** The unlocked vault's models; replaces an older session. */
    fun open(vault: Vault): Session {
        session?.close()
        return Session(vault, AndroidKeystore.pushKeys(context), HttpPushTransport(), ::folder).also { session = it }
    }

    /** Locks: drops the session and with it the vault key. */
    fun lock() {
        session?.close()
        session = null
    }

    /** The background fetch: the open session's inbox, or core's poll slot with the vault locked. */
    val backgroundPoll = BackgroundPoll(vaultPath, AndroidKeystore.pollSlotKeys(context), AndroidKeystore.pushKeys(context), HttpPushTransport())

}

/** Clears the clipboard a while after a code was copied, if nothing else was copied since. */
object ClipboardClearer {
    private val handler = Handler(Looper.getMainLooper())
    private var pending: Runnable? = null

    fun schedule(context: Context, afterMillis: Long) {
        pending?.let(handler::removeCallbacks)
        val clipboard = context.getSystemService(ClipboardManager::class.java)
        val ours = clipboard.primaryClipDescription?.timestamp
        val clear = Runnable {
            // Only our clip: if the user copied something else meanwhile, leave it.
            if (clipboard.primaryClipDescription?.timestamp != ours) return@Runnable
            if (Build.VERSION.SDK_INT >= 28) clipboard.clearPrimaryClip() else clipboard.setPrimaryClip(ClipData.newPlainText("", ""))
        }
        pending = clear
        handler.postDelayed(clear, afterMillis)
    }
}
