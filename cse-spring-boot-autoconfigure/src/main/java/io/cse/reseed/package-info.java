/**
 * Renews, on every restore of an image, the random generators of a Spring application that
 * were seeded before the snapshot.
 */
package io.cse.reseed;
