"""pacer.hw"""
