package org.tessera.app.platform

import org.tessera.BackupDestination
import org.tessera.TesseraException
import java.io.IOException

/**
 * The few calls on a folder the user picked that automatic backups need. On the phone it is a
 * Storage Access Framework tree (`SafFolder`, over `DocumentFile`, in src/main/android); in the
 * tests a directory. Implementations throw `IOException` (or `SecurityException`, when the
 * user revoked the app's access) and decide nothing: [FolderBackupDestination] does.
 */
interface DocumentFolder {
    /** The display names of the files in the folder. */
    fun names(): List<String>

    /** The bytes of the file [name], or `null` when the folder has none by that name. */
    fun read(name: String): ByteArray?

    /**
     * Creates a new file asking for the name [name], writes [bytes] into it and returns the
     * name it got: a provider may give another (SAF makes `x (1).y` when `x.y` exists).
     */
    fun create(name: String, bytes: ByteArray): String

    /** Renames the file [from] to [to]; `false` when the provider cannot rename. */
    fun rename(from: String, to: String): Boolean

    /** Deletes the file [name]; `false` when there was none. */
    fun delete(name: String): Boolean
}

/**
 * Core's `BackupDestination` over a [DocumentFolder]: what lets automatic backups go to any
 * folder the system's file picker offers (the phone, an SD card, a cloud provider's app).
 * Every rule (names, coalescing, read-back verification, rotation) is core's; this class only
 * makes a folder without atomic writes behave as well as it can:
 *
 * - a file is written under a temporary name and renamed into place, so an interrupted write
 *   never leaves a half file under a backup's name (a provider that cannot rename gets the file
 *   written directly, and core's read-back catches a torn one);
 * - a provider's own renaming on a name clash is undone, never taken for the file asked for;
 * - every failure becomes `Platform` with a reason for the user that names the file, never
 *   its content.
 */
class FolderBackupDestination(private val folder: DocumentFolder) : BackupDestination {
    override fun write(name: String, bytes: ByteArray) = guard("write", name) {
        plain(name)
        val partial = name + PARTIAL
        folder.delete(partial) // left by an earlier interrupted write
        val created = folder.create(partial, bytes)
        if (created != partial) {
            folder.delete(created)
            throw IOException("the folder gave the new file another name ($created)")
        }
        folder.delete(name) // "write (or replace)": SAF cannot rename over a file
        if (!folder.rename(partial, name)) {
            folder.delete(partial)
            val direct = folder.create(name, bytes)
            if (direct != name) {
                folder.delete(direct)
                throw IOException("the folder gave the new file another name ($direct)")
            }
        }
    }

    override fun read(name: String): ByteArray = guard("read", name) {
        folder.read(name) ?: throw IOException("it is not in the folder any more")
    }

    // Core ignores names that are not its own, temporary files among them.
    override fun list(): List<String> = guard("list", "the folder") { folder.names() }

    override fun delete(name: String) = guard("delete", name) {
        folder.delete(name)
        Unit
    }

    private fun plain(name: String) {
        // Core chooses the names; anything that could leave the folder is refused all the same.
        if (name.isEmpty() || name.startsWith('.') || name.any { it == '/' || it == '\\' }) {
            throw IOException("not a plain file name")
        }
    }

    private fun <T> guard(action: String, name: String, block: () -> T): T = try {
        block()
    } catch (e: IOException) {
        throw TesseraException.Platform("cannot $action $name in the backup folder: ${e.message ?: e.javaClass.simpleName}")
    } catch (e: SecurityException) {
        throw TesseraException.Platform("Tessera may no longer use the backup folder: choose it again")
    }

    private companion object {
        const val PARTIAL = ".partial"
    }
}
