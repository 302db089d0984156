"""收发文 / 快递: incoming and outgoing documents (公文), parcels received and sent, the address book."""
