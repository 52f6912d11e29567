package org.tessera.app.platform

import android.content.Context
import android.net.Uri
import androidx.documentfile.provider.DocumentFile
import java.io.IOException

/**
 * A Storage Access Framework folder (a tree the user picked with `OpenDocumentTree`, its
 * permission kept with `takePersistableUriPermission`) as the [DocumentFolder] automatic
 * backups write into. Only the platform calls: [FolderBackupDestination] (tested on the JVM)
 * decides how to write safely.
 */
class SafFolder(private val context: Context, tree: Uri) : DocumentFolder {
    // Looked up at the first call, so that a folder gone meanwhile fails inside the
    // destination's calls (reported in core's status), not when the session is made.
    private val root by lazy { DocumentFile.fromTreeUri(context, tree) ?: throw IOException("not a folder") }

    private fun find(name: String): DocumentFile? = root.findFile(name)?.takeIf { it.isFile }

    override fun names(): List<String> {
        if (!root.canRead()) throw IOException("the folder cannot be read")
        return root.listFiles().filter { it.isFile }.mapNotNull { it.name }
    }

    override fun read(name: String): ByteArray? {
        val file = find(name) ?: return null
        return context.contentResolver.openInputStream(file.uri)?.use { it.readBytes() } ?: throw IOException("cannot open $name")
    }

    override fun create(name: String, bytes: ByteArray): String {
        // octet-stream: a provider adds no extension of its own to the name asked for.
        val file = root.createFile("application/octet-stream", name) ?: throw IOException("the folder refused a new file")
        try {
            context.contentResolver.openOutputStream(file.uri, "w")?.use { it.write(bytes) } ?: throw IOException("cannot open $name")
        } catch (e: IOException) {
            file.delete()
            throw e
        }
        return file.name ?: name
    }

    override fun rename(from: String, to: String): Boolean = find(from)?.renameTo(to) ?: false

    override fun delete(name: String): Boolean = find(name)?.delete() ?: false

    companion object {
        /** The folder core remembers as the backup destination (the tree URI as text). */
        fun open(context: Context, destination: String): DocumentFolder = SafFolder(context, Uri.parse(destination))
    }
}
