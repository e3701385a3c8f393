#!/bin/sh
# Builds the container image's base file system, which Jib puts under the application's layers (the image starts
# from scratch, so no base image is pulled from any registry and no Docker engine is needed):
#   /opt/java   a Java runtime linked with jlink from the JDK that runs the build (its jmods)
#   /lib*, /usr/lib*   the C libraries that runtime links against, copied from this machine (ldd)
#   /etc/passwd, /etc/group   the non-root user meshgate (10001), which the image runs as
#   /tmp        for the JVM's and Hazelcast's temporary files
# Usage: runtime-root.sh JAVA_HOME OUTPUT_DIR. Linux only (ldd); run by the regions module's `image` profile.
set -eu
java_home=$1
out=$2

if [ ! -x "$java_home/bin/jlink" ]; then
    echo "regions: the container image needs jlink, which $java_home (a JRE?) does not have." >&2
    echo "  Build with a full JDK (Debian: apt-get install openjdk-17-jdk), or without the image: -P!image" >&2
    exit 1
fi
command -v ldd >/dev/null 2>&1 || { echo "regions: the container image needs ldd (Linux); build with -P!image" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp" "$out/etc"
# java.se because the node runs with --add-modules java.se semantics (Hazelcast reflects into java.management);
# jdk.unsupported for sun.misc.Unsafe (Hazelcast, Netty); the crypto and DNS providers for TLS and host names.
# JDK 17 links from its jmods (Debian: openjdk-17-jdk-headless); JDK 24+ can link from its own run-time image.
# --compress=2 is JDK 17's spelling, zip-6 the newer one.
modules=java.se,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.naming.dns,jdk.zipfs,jdk.localedata
link() {
    rm -rf "$out/opt/java"
    "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
        --compress="$1" --output "$out/opt/java"
}
link zip-6 >/dev/null 2>&1 || link 2 || {
    echo "regions: jlink failed; a JDK 17-23 needs its jmods (Debian: openjdk-17-jdk-headless). Or build with -P!image" >&2
    exit 1
}

# Every shared library the runtime needs that is not part of it, at the same path as here (the ELF interpreter
# /lib64/ld-linux-*.so.2 included). The desktop modules' native libraries (AWT, fonts, sound, images) are never
# loaded by a headless server, so what they link against (X11, freetype, ALSA, ...) is left out.
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
        ! -name 'libawt*' ! -name 'libjawt.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' ! -name 'libfontmanager.so' \
        ! -name 'liblcms.so' ! -name 'libjavajpeg.so' ! -name 'libmlib_image.so' \
        -exec ldd {} \; 2>/dev/null \
    | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' \
    | grep -v "^$out" | sort -u | while read -r lib; do
        mkdir -p "$out$(dirname "$lib")"
        cp -L "$lib" "$out$lib"
    done

printf 'root:x:0:0:root:/root:/sbin/nologin\nmeshgate:x:10001:10001:meshgate:/tmp:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nmeshgate:x:10001:\n' > "$out/etc/group"
echo "regions: image base file system in $out ($(du -sh "$out" | cut -f1))"
