package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import org.tessera.PushClient
import org.tessera.PushDeviceKeys
import org.tessera.PushTransport
import org.tessera.Vault
import org.tessera.app.platform.DocumentFolder
import org.tessera.app.platform.Link
import org.tessera.app.platform.classifyLink

/** The screen a link leads to ([Session.openLink]). */
enum class Destination {
    /** The push inbox, showing the request a notification opened. */
    INBOX,

    /** The add screen, asking to confirm what the link holds. */
    ADD,
}

/**
 * Everything that exists while the vault is unlocked: the vault, its push client and the
 * screens' state holders over them. Closing it (app lock) frees the vault and with it the key.
 */
class Session(
    /** The unlocked vault. */
    val vault: Vault,
    pushKeys: PushDeviceKeys,
    transport: PushTransport,
    /** Opens the backup folder core remembers (a SAF tree URI on the phone). */
    folders: (String) -> DocumentFolder,
    /** How the models sleep until core's next time (the tests release them by hand). */
    wakeups: Wakeups = DelayWakeups(),
    io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    private val push = PushClient(vault, pushKeys, transport)

    /** Automatic backups and the recovery key; every model below tells it when the vault changed. */
    val backup = BackupModel(vault, folders, wakeups, io)

    /** The push inbox. */
    val inbox = PushInboxModel(push, io)

    /** The codes screen. */
    val codes = CodesModel(vault, wakeups, io, backup::changed)

    /** Adding accounts; push enrollments go to the inbox's client. */
    val add = AddAccountModel(vault, { uri -> inbox.enroll(uri)?.serial }, io, backup::changed)

    /** Import and export. */
    val transfer = TransferModel(vault, io, backup::changed)

    /** Server time (the clock offset core corrects codes by). */
    val time = ServerTimeModel(vault, push, io)

    /** Settings that act on the vault (password, trash). */
    val settings = VaultSettingsModel(vault, io, backup::changed)

    /**
     * A link from another app or a notification: a sign-in request goes to the inbox (shown if
     * it still waits), anything else to the add screen (to confirm). Returns where to go.
     */
    suspend fun openLink(text: String): Destination {
        val link = classifyLink(text)
        if (link is Link.PushRequest) {
            inbox.open(link.id)
            return Destination.INBOX
        }
        add.open(text)
        return Destination.ADD
    }

    override fun close() {
        push.close()
        vault.lock()
        vault.close()
    }
}
