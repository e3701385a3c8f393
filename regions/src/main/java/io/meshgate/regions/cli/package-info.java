/**
 * The {@code gateway.jar} command line: {@code node}, {@code demo}, {@code token} and {@code check-config}, each
 * with {@code --help}. Arguments are few, so they are parsed here rather than with a CLI library.
 */
package io.meshgate.regions.cli;
