"""用印登记: the seal and licence registries, seal use step by step, lending of seals and licences, and the hash
chain that makes uses and loans evidence. Importing this package imports none of its modules."""
