package org.tessera.app.ui

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.net.Uri
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import org.tessera.app.platform.requestLink
import java.util.concurrent.TimeUnit

/**
 * privacyIDEA's poll-only mode in the background (no Firebase): WorkManager runs this every
 * 15 minutes (its minimum) while the network is up; each new request posts a notification
 * that opens it (`requestLink`). It needs the vault open with the device key (no prompt in the background);
 * a key bound to biometrics, or a token with app_force_unlock, waits for the app to be opened.
 */
class PushPollWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val graph = (applicationContext as TesseraApplication).graph
        // null inside: the fetch failed (network), WorkManager backs off; null outside: no inbox.
        val arrived = graph.withBackgroundInbox { Fetched(it.refresh()) } ?: return Result.success()
        val ids = arrived.newIds ?: return Result.retry()
        ids.forEach { notify(applicationContext, it) }
        return Result.success()
    }

    private class Fetched(val newIds: List<String>?)

    companion object {
        private const val WORK = "tessera-push-poll"
        private const val CHANNEL = "push-requests"
        private const val NOTIFICATION_ID = 1 // with the request id as tag: one per request

        /** Starts (or keeps) the periodic fetch. */
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<PushPollWorker>(15, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork(WORK, ExistingPeriodicWorkPolicy.KEEP, request)
        }

        /** Stops it (the user turned background fetching off). */
        fun cancel(context: Context) = WorkManager.getInstance(context).cancelUniqueWork(WORK)

        /** One notification per request, opening it: its link is the intent's data (which also keeps the intents apart). */
        private fun notify(context: Context, requestId: String) {
            val manager = context.getSystemService(NotificationManager::class.java)
            manager.createNotificationChannel(NotificationChannel(CHANNEL, "Sign-in requests", NotificationManager.IMPORTANCE_HIGH))
            val open = PendingIntent.getActivity(
                context, 0,
                Intent(Intent.ACTION_VIEW, Uri.parse(requestLink(requestId)), context, MainActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_SINGLE_TOP),
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            // The notification names no account or question: the lock screen may show it.
            val notification = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(android.R.drawable.ic_lock_idle_lock)
                .setContentTitle("A sign-in request is waiting")
                .setContentText("Open Tessera to approve or deny.")
                .setVisibility(NotificationCompat.VISIBILITY_PUBLIC)
                .setContentIntent(open)
                .setAutoCancel(true)
                .build()
            if (NotificationManagerCompat.from(context).areNotificationsEnabled()) {
                @Suppress("MissingPermission") // checked just above
                NotificationManagerCompat.from(context).notify(requestId, NOTIFICATION_ID, notification)
            }
        }
    }
}
