package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.AccountChange
import org.tessera.AddOutcome
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.moveScanProgress
import org.tessera.qrCodeMatrix
import org.tessera.readMoveOffer
import org.tessera.scanQrLuma
import kotlin.test.assertFailsWith

/**
 * The encrypted move to a new phone as an Android app drives it: the new phone's offer and the
 * old phone's codes travel as QR codes drawn from `qrCodeMatrix` and read back by `scanQrLuma` from
 * the pixels, as a camera would.
 */
class MoveTest {
    /** Draws a code and scans it from its pixels: what travels between the two screens. */
    private fun throughCamera(text: String): String {
        val (width, height, luma) = lumaOf(qrCodeMatrix(text))
        return scanQrLuma(width.toUInt(), height.toUInt(), luma).single()
    }

    /** Every account as the user sees it, in list order, with its secret and note. */
    private fun shown(vault: Vault): List<String> = vault.list().map {
        val full = vault.accountWithSecret(it.id)
        "${it.issuer}|${it.label}|${it.groups}|${it.favorite}|${full.secretBase32}|${full.note}|${full.params}"
    }

    @Test
    fun aVaultMovesThroughQrCodesOnceAndCompletely() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { old ->
            Vault.create(tempVaultPath(), JvmKeyProvider()).use { new ->
                val ids = (1..12).map { n ->
                    old.add(otpAccount("Service $n", "alice", secret = "MFRGGZDFMZTWQ2L${'A' + n}"))
                }
                old.update(ids[3], AccountChange(note = "recovery codes in the safe", groups = listOf("Work")))
                old.update(ids[5], AccountChange(favorite = true))
                old.update(ids[9], AccountChange(position = 0u))
                old.add(otpAccount("VPN", "alice", secret = "GEZDGNBVGY3TQOJQ", kind = org.tessera.OtpKind.HOTP, counter = 41))

                // New phone: the offer, shown as a QR code with its check code.
                val offer = new.createMoveOffer()
                assertEquals(offer, new.pendingMoveOffer())
                // Old phone: scans it, shows the same check code, sends.
                val scannedOffer = throughCamera(offer.text)
                assertEquals(offer.checkCode, readMoveOffer(scannedOffer).checkCode)
                val transfer = old.sendMove(scannedOffer)
                assertEquals(13u, transfer.accounts)
                assertTrue(transfer.parts.size > 1, "${transfer.parts.size} codes")
                assertTrue(transfer.tokensLeftBehind.isEmpty())
                assertTrue(transfer.parts.none { it.contains("Service") || it.contains("MFRGGZDF") })

                // New phone: scans them in any order; the progress names what is missing.
                val scanned = transfer.parts.reversed().map(::throughCamera)
                // The last code not scanned yet (they were scanned backwards).
                val partial = moveScanProgress(scanned.drop(1))
                assertEquals(listOf(transfer.parts.size.toUInt()), partial.missing)
                assertTrue(!partial.complete)
                val missing = assertFailsWith<TesseraException.InvalidInput> { new.acceptMove(scanned.drop(1)) }
                assertTrue(missing.message!!.contains("missing: ${transfer.parts.size}"), missing.message)
                assertTrue(new.list().isEmpty(), "a failed accept changes nothing")

                assertTrue(moveScanProgress(scanned).complete)
                val report = new.acceptMove(scanned)
                assertEquals(13, report.accounts.count { it is AddOutcome.Added })
                assertEquals(shown(old), shown(new))
                assertEquals(null, new.pendingMoveOffer())

                // One time only.
                assertFailsWith<TesseraException.Duplicate> { new.acceptMove(scanned) }
            }
        }
    }

    @Test
    fun codesForAnotherOfferOrTamperedOnesChangeNothing() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { old ->
            Vault.create(tempVaultPath(), JvmKeyProvider()).use { new ->
                old.add(otpAccount("ACME", "alice"))
                assertFailsWith<TesseraException.InvalidInput> { readMoveOffer("otpauth://totp/x?secret=AAAA") }
                val first = new.createMoveOffer()
                val forFirst = old.sendMove(first.text).parts
                new.createMoveOffer() // replaces the first
                val wrong = assertFailsWith<TesseraException.InvalidInput> { new.acceptMove(forFirst) }
                assertTrue(wrong.message!!.contains("another move offer"), wrong.message)

                val parts = old.sendMove(new.pendingMoveOffer()!!.text).parts
                // One letter of the data changed (not the last one, whose low bits may be padding).
                val head = parts.first()
                val at = head.length - 10
                val flipped = head.substring(0, at) + (if (head[at] == 'A') 'B' else 'A') + head.substring(at + 1)
                assertFailsWith<TesseraException.Integrity> { new.acceptMove(listOf(flipped) + parts.drop(1)) }
                new.cancelMoveOffer()
                assertFailsWith<TesseraException.NotFound> { new.acceptMove(parts) }
                assertTrue(new.list().isEmpty())
            }
        }
    }
}
