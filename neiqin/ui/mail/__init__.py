"""收发文/快递 tab: 收文, 发文, 快递收件 (with the scanner desk), 快递寄件."""
