// Tessera for Android: the app a person installs. A thin shell over the `:tessera` library:
// Composables in ui/, state holders in model/ and platform adapters in platform/. Everything in
// src/main/kotlin imports no android.*/androidx.* and is compiled and tested on a plain JVM by
// tests/android-app/run.sh; src/main/android holds the files that need the Android SDK.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.tessera.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.tessera.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    buildFeatures { compose = true }
    sourceSets["main"].java.srcDirs("src/main/kotlin", "src/main/android")
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    implementation(project(":tessera"))
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-extended")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.fragment:fragment-ktx:1.8.5") // BiometricPrompt needs a FragmentActivity
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-process:2.8.7")
    implementation("androidx.biometric:biometric:1.1.0")
    implementation("androidx.camera:camera-camera2:1.4.1")
    implementation("androidx.camera:camera-lifecycle:1.4.1")
    implementation("androidx.camera:camera-view:1.4.1")
    implementation("androidx.work:work-runtime-ktx:2.10.0")
    implementation("androidx.documentfile:documentfile:1.0.1") // the backup folder (SafFolder)
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
}
