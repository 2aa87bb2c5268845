package jmistral.model;

/** Element type of the KV cache. */
public enum KvCacheType { F16, F32, Q8_0 }
