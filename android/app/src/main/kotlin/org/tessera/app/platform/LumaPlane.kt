package org.tessera.app.platform

import java.nio.ByteBuffer

/**
 * Packs a camera frame's luma plane (CameraX `ImageProxy.planes[0]`: YUV_420_888's Y plane)
 * into the tight `width * height` grey image core's `importQrLuma` reads: rows of a camera
 * plane are often padded (`rowStride > width`), and a plane may interleave (`pixelStride > 1`).
 * Returns `null` when the buffer is too small for the stated geometry (a frame being recycled),
 * so the scanner skips that frame instead of passing core a wrong image.
 */
fun packLuma(plane: ByteBuffer, width: Int, height: Int, rowStride: Int, pixelStride: Int): ByteArray? {
    if (width <= 0 || height <= 0 || pixelStride <= 0 || rowStride < (width - 1) * pixelStride + 1) return null
    val needed = (height - 1).toLong() * rowStride + (width - 1).toLong() * pixelStride + 1
    val source = plane.duplicate().apply { rewind() }
    if (source.remaining() < needed) return null
    val out = ByteArray(width * height)
    if (pixelStride == 1) {
        for (y in 0 until height) {
            source.position(y * rowStride)
            source.get(out, y * width, width)
        }
    } else {
        for (y in 0 until height) for (x in 0 until width) {
            out[y * width + x] = source.get(y * rowStride + x * pixelStride)
        }
    }
    return out
}

/**
 * A decoded picture's pixels (`Bitmap.getPixels`: ARGB, one `Int` each) as the grey levels
 * core's `scanQrLuma` reads: ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), in integers.
 * Transparent pixels count as white, the usual page behind a screenshot's QR code.
 */
fun greyOf(argb: IntArray): ByteArray = ByteArray(argb.size) { i ->
    val p = argb[i]
    val alpha = p ushr 24
    fun channel(shift: Int) = ((p shr shift and 0xff) * alpha + 255 * (255 - alpha)) / 255
    ((299 * channel(16) + 587 * channel(8) + 114 * channel(0)) / 1000).toByte()
}
