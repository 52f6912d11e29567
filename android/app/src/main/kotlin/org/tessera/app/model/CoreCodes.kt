package org.tessera.app.model

import org.tessera.ListFilter
import org.tessera.OtpKind
import org.tessera.Vault

/**
 * The one place the codes screen reads core's list. INTERIM, until `Vault.codeList` (the app
 * model issue) lands: today's bindings give the filtered list and the codes in two calls, and
 * no display name, grouping or next-change time, so those are put together here.
 */
internal object CoreCodes {
    fun list(vault: Vault, now: Long, query: String, group: String?): Pair<List<CodeRow>, Long?> {
        val shown = vault.list(ListFilter(text = query.ifBlank { null }, group = group, favoritesOnly = false))
        val codes = vault.codesAt(now.toULong()).associateBy { it.id }
        val rows = shown.mapNotNull { info ->
            val code = codes[info.id] ?: return@mapNotNull null
            val hotp = code.kind == OtpKind.HOTP
            CodeRow(
                id = info.id,
                name = listOf(info.issuer, info.label).filter { it.isNotBlank() }.joinToString(" · "),
                code = code.code,
                problem = code.problem,
                hotp = hotp,
                period = if (hotp) null else code.period?.toInt(),
                validUntil = if (hotp) null else now + code.remainingSeconds.toLong(),
                favorite = info.favorite,
            )
        }
        return rows to rows.mapNotNull { it.validUntil }.minOrNull()
    }
}
