// Tessera for Android: the `:tessera` library module (Rust core + generated Kotlin bindings)
// and the `:app` module (the app people install, built on it).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "tessera-android"
include(":tessera")
include(":app")
