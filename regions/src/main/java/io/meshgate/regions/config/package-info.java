/**
 * The deployment's YAML configuration: read into typed settings, every key checked, every value with a documented
 * default. A bad file fails at start with a message naming the key (docs/configuration.md is the reference).
 */
package io.meshgate.regions.config;
