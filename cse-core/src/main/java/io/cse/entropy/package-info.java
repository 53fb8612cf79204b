/**
 * Fresh entropy for processes restored from a snapshot: the operating system's random
 * bytes, and reseeders for the JDK's generators. Needs nothing but the JDK.
 */
package io.cse.entropy;
