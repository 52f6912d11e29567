package org.tessera.app.ui

import android.Manifest
import android.content.pm.PackageManager
import android.graphics.Bitmap
import android.graphics.ImageDecoder
import android.net.Uri
import android.os.Build
import android.provider.MediaStore
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.app.model.AddAccountModel
import org.tessera.app.model.AddState
import org.tessera.app.platform.greyOf
import org.tessera.app.platform.packLuma
import org.tessera.otpDefaults
import java.util.concurrent.Executors

/** Adding accounts: the camera, a picked screenshot, or typing the details in. */
@Composable
fun AddScreen(model: AddAccountModel, onDone: () -> Unit) {
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    var scanning by remember { mutableStateOf(false) }
    val cameraPermission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted -> scanning = granted }
    val pickImage = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri: Uri? ->
        uri ?: return@rememberLauncherForActivityResult
        scope.launch {
            val (w, h, grey) = greyLevels(context, uri) ?: return@launch
            model.picked(w, h, grey)
        }
    }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        if (scanning) {
            QrScanner(onFrame = { w, h, luma -> runBlocking { model.scanned(w, h, luma) }.also { if (it) scanning = false } })
            TextButton(onClick = { scanning = false }) { Text("Stop scanning") }
        } else {
            Button(onClick = {
                if (ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) scanning = true
                else cameraPermission.launch(Manifest.permission.CAMERA)
            }, modifier = Modifier.fillMaxWidth()) { Text("Scan a QR code") }
        }
        OutlinedButton(onClick = { pickImage.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly)) }, modifier = Modifier.fillMaxWidth()) {
            Text("Read a QR code from a screenshot")
        }
        ManualEntry { account -> scope.launch { model.addManual(account) } }
    }
    when (val s = state) {
        is AddState.Confirm -> AlertDialog(
            onDismissRequest = model::reset,
            title = { Text("Add this?") }, text = { Text(s.title) },
            confirmButton = { TextButton(onClick = { scope.launch { model.confirm() } }) { Text("Add") } },
            dismissButton = { TextButton(onClick = model::reset) { Text("Cancel") } },
        )
        // Once per result, not at every recomposition.
        is AddState.Added, is AddState.Enrolled -> LaunchedEffect(s) { model.reset(); onDone() }
        is AddState.Imported -> ReportDialog(s.report, onClose = { model.reset(); onDone() })
        is AddState.Failed -> AlertDialog(
            onDismissRequest = model::reset, title = { Text("Not added") }, text = { Text(s.reason) },
            confirmButton = { TextButton(onClick = model::reset) { Text("OK") } },
        )
        AddState.Idle -> Unit
    }
}

/** Typed-in details, starting from core's defaults for the chosen kind (Steam: 5 characters, 30 s). */
@Composable
private fun ManualEntry(onAdd: (OtpAccount) -> Unit) {
    var kind by remember { mutableStateOf(OtpKind.TOTP) }
    var params by remember(kind) { mutableStateOf(otpDefaults(kind)) }
    var issuer by remember { mutableStateOf("") }
    var label by remember { mutableStateOf("") }
    var secret by remember { mutableStateOf("") }
    Text("Or type it in", style = MaterialTheme.typography.titleMedium)
    androidx.compose.foundation.layout.Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OtpKind.entries.forEach { k -> FilterChip(selected = kind == k, onClick = { kind = k }, label = { Text(k.name) }) }
    }
    OutlinedTextField(issuer, { issuer = it }, label = { Text("Service") }, singleLine = true, modifier = Modifier.fillMaxWidth())
    OutlinedTextField(label, { label = it }, label = { Text("Account name") }, singleLine = true, modifier = Modifier.fillMaxWidth())
    OutlinedTextField(secret, { secret = it }, label = { Text("Secret key") }, singleLine = true, modifier = Modifier.fillMaxWidth())
    Text("${params.digits} digits" + if (kind != OtpKind.HOTP) ", every ${params.period} s" else "", style = MaterialTheme.typography.bodySmall)
    Button(onClick = { onAdd(OtpAccount(issuer, label, secret, params)); secret = "" }, enabled = secret.isNotBlank(), modifier = Modifier.fillMaxWidth()) { Text("Add account") }
}

/** The camera preview; each frame's luma plane goes to [onFrame] (true: a code was found). */
@Composable
private fun QrScanner(onFrame: (Int, Int, ByteArray) -> Boolean) {
    val context = LocalContext.current
    val lifecycle = LocalLifecycleOwner.current
    AndroidView(modifier = Modifier.fillMaxWidth().height(320.dp), factory = { ctx ->
        val view = PreviewView(ctx)
        val providerFuture = ProcessCameraProvider.getInstance(ctx)
        providerFuture.addListener({
            val provider = providerFuture.get()
            val preview = Preview.Builder().build().also { it.surfaceProvider = view.surfaceProvider }
            val analysis = ImageAnalysis.Builder().setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST).build()
            analysis.setAnalyzer(Executors.newSingleThreadExecutor()) { image ->
                image.use {
                    val plane = it.planes[0]
                    val luma = packLuma(plane.buffer, it.width, it.height, plane.rowStride, plane.pixelStride)
                    if (luma != null && onFrame(it.width, it.height, luma)) ContextCompat.getMainExecutor(context).execute { provider.unbindAll() }
                }
            }
            provider.unbindAll()
            provider.bindToLifecycle(lifecycle, androidx.camera.core.CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
        }, ContextCompat.getMainExecutor(ctx))
        view
    })
}

/** A picked image as grey levels (the platform decodes it; core only scans). */
private fun greyLevels(context: android.content.Context, uri: Uri): Triple<Int, Int, ByteArray>? {
    val bitmap: Bitmap = try {
        if (Build.VERSION.SDK_INT >= 28) ImageDecoder.decodeBitmap(ImageDecoder.createSource(context.contentResolver, uri)) { d, _, _ ->
            d.allocator = ImageDecoder.ALLOCATOR_SOFTWARE
        } else @Suppress("DEPRECATION") MediaStore.Images.Media.getBitmap(context.contentResolver, uri)
    } catch (e: java.io.IOException) {
        return null
    }
    val pixels = IntArray(bitmap.width * bitmap.height)
    bitmap.getPixels(pixels, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height)
    return Triple(bitmap.width, bitmap.height, greyOf(pixels))
}
