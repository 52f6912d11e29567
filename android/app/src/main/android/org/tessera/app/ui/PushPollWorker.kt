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
import org.tessera.app.model.BackgroundFetch
import org.tessera.app.platform.requestLink
import java.util.concurrent.TimeUnit

/**
 * privacyIDEA's poll-only mode in the background (no Firebase): WorkManager runs this every
 * 15 minutes (its minimum) while the network is up; each new request posts a notification
 * that opens it (`requestLink`). With the app closed it fetches through core's poll slot, the
 * vault left locked (its key may need biometrics); answering waits for the user.
 */
class PushPollWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val graph = (applicationContext as TesseraApplication).graph
        return when (val fetched = graph.backgroundPoll.fetch(graph.session)) {
            is BackgroundFetch.Fetched -> Result.success().also { fetched.newIds.forEach { notify(applicationContext, it) } }
            is BackgroundFetch.Failed -> Result.retry() // the network: WorkManager backs off
            BackgroundFetch.Off -> Result.success()
        }
    }

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
